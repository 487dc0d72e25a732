import CairnCore
import Testing

@Suite struct TensorLayoutTests {
    @Test func rowPiecesAreRunsOfRowMajorElements() {
        let layout = TensorLayout(globalShape: [10, 4], placement: .rows(3..<6))
        #expect(layout.globalElementRange == 12..<24)
        #expect(layout.localShape == [3, 4])
        #expect(layout.localByteCount == 48)
        #expect(layout.isWellFormed)
    }

    @Test func flatPiecesKeepTheirRange() {
        let layout = TensorLayout(globalShape: [10, 4], placement: .elements(5..<17))
        #expect(layout.globalElementRange == 5..<17)
        #expect(layout.localShape == [12])
        #expect(!TensorLayout(globalShape: [2, 2], placement: .elements(3..<5)).isWellFormed)
        #expect(!TensorLayout(globalShape: [2, 2], placement: .rows(0..<3)).isWellFormed)
    }

    @Test func emptyLastShardIsAllowed() {
        let layout = TensorLayout(globalShape: [3, 8], placement: .rows(3..<3))
        #expect(layout.isWellFormed)
        #expect(layout.localElementCount == 0)
    }
}
