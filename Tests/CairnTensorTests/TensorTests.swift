import CairnCore
import CairnTensor
import Testing

@Suite struct TensorTests {
    @Test func valuesZerosAndScalars() {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        #expect(t.count == 6 && t.scalars == [1, 2, 3, 4, 5, 6])
        #expect(t.buffer.byteCount == 24)
        #expect(Tensor.zeros([3, 100_000]).scalars.allSatisfy { $0 == 0 })
        let scalar = Tensor.scalar(4)
        #expect(scalar.shape == [] && scalar.count == 1 && scalar.item == 4)
    }

    @Test func bufferIsSharedNotCopied() {
        let buffer = HostBuffer(copying: [Float](repeating: 1, count: 4))
        let t = Tensor(shape: [4], buffer: buffer)
        t.withUnsafeMutableBufferPointer { $0[2] = 9 }
        #expect(buffer.elements(of: Float.self)[2] == 9)
        let view = t.reshaped([2, 2])
        #expect(view.buffer === buffer && view.scalars == [1, 1, 9, 1])
    }

    @Test func ensureGradAllocatesZerosOnce() {
        let t = Tensor(shape: [3], values: [1, 2, 3])
        let grad = t.ensureGrad()
        #expect(grad.scalars == [0, 0, 0] && grad.shape == [3])
        #expect(t.ensureGrad() === grad)
    }

    @Test func largeTensorsAre64ByteAligned() {
        for count in [1, 1000, 100_000, 1_000_000] {
            #expect(Int(bitPattern: Tensor.uninitialized([count]).buffer.baseAddress) % 64 == 0)
        }
    }
}
