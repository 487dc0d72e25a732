internal import CairnCore

/// The order of the samples in one epoch: a pure function of the seed, the epoch and the dataset size.
///
/// Fisher–Yates (Durstenfeld's in-place form) driven by ``PhiloxRandom`` on the stream named
/// `data.epoch.<epoch>`, with unbiased bounded integers by Lemire's multiply-and-reject method ("Fast Random
/// Integer Generation in an Interval", 2019). Both are written out here rather than taken from the standard
/// library (`shuffle(using:)`, `Int.random(in:using:)`), whose algorithms are not promised to stay the same across
/// Swift releases: a checkpoint must resume into the same order on any toolchain.
public enum EpochPermutation {
    /// The sample indices of `epoch`, a permutation of `0..<count`.
    /// - Complexity: O(*count*).
    public static func order(seed: UInt64, epoch: Int, count: Int) -> [Int] {
        var generator = PhiloxRandom(seed: seed, label: "data.epoch.\(epoch)")
        var order = Array(0..<count)
        var index = count - 1
        while index > 0 {
            let other = Int(uniform(below: UInt64(index + 1), using: &generator))
            order.swapAt(index, other)
            index -= 1
        }
        return order
    }

    /// A uniform integer in `0..<bound` (`bound > 0`).
    static func uniform(below bound: UInt64, using generator: inout PhiloxRandom) -> UInt64 {
        let threshold = (0 &- bound) % bound
        while true {
            let (high, low) = generator.next().multipliedFullWidth(by: bound)
            if low >= threshold { return high }
        }
    }
}
