import CairnCheckpoint
import CairnCore
import Testing

@Suite struct CheckpointDigestTests {
    @Test func digestsMatchXXH3128ReferenceValues() {
        #expect(CheckpointDigest.hex(of: [UInt8]()) == "99aa06d3014798d86001c324468d497f")
        #expect(CheckpointDigest.hex(of: Array("abc".utf8)) == "06b05ab6733a618578af5f94892f3950")
    }

    @Test func streamingOverPartsEqualsOneShot() {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let parts = [HostBuffer(copying: Array(bytes[..<17])), HostBuffer(zeroedByteCount: 0), HostBuffer(copying: Array(bytes[17...]))]
        #expect(CheckpointDigest.hex(of: parts) == CheckpointDigest.hex(of: bytes))
        #expect(CheckpointDigest.isWellFormed(CheckpointDigest.hex(of: bytes)))
        #expect(!CheckpointDigest.isWellFormed("99AA06D3014798D86001C324468D497F") && !CheckpointDigest.isWellFormed("99aa"))
    }
}
