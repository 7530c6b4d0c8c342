import Testing
@testable import ADiffTensor

@Suite struct TensorTests {
    @Test func copyOnWriteKeepsCopiesIndependent() {
        var a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = a
        a[1, 2] = 60
        #expect(a[1, 2] == 60)
        #expect(b[1, 2] == 6)
        #expect(b.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func reshapeInfersOneDimensionAndSharesStorage() {
        let a = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let b = a.reshaped([6, -1])
        #expect(b.shape == [6, 4])
        #expect(b.storage === a.storage)
        #expect(b[5, 3] == 23)
    }

    @Test func storageIsCacheLineAligned() {
        for count in [1, 3, 77, 1000] {
            let t = Tensor(zeros: [count])
            #expect(Int(bitPattern: t.storage.pointer) % 64 == 0)
        }
    }
}
