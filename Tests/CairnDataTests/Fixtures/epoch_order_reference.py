#!/usr/bin/env python3
"""Reference values for BatchGeneratorTests.epochOrderMatchesTheIndependentReference.

An independent Python implementation of what CairnData.EpochPermutation does: Philox4x32-10 (Salmon et al.,
SC 2011) with CairnCore.PhiloxRandom's word order (next() = high word, then low word), the stream id FNV-1a-64 of
the label "data.epoch.<n>", Lemire's multiply-and-reject bounded integers, and Durstenfeld's Fisher-Yates from
the last index down. Standard library only. Run: python3 epoch_order_reference.py
"""

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def stream_id(label):
    """FNV-1a, 64-bit, over the label's UTF-8 bytes."""
    value = 0xCBF29CE484222325
    for byte in label.encode():
        value ^= byte
        value = (value * 0x100000001B3) & MASK64
    return value


def philox_block(seed, stream, counter):
    """One Philox4x32-10 block for the 128-bit counter (counter, stream) under the 64-bit key seed."""
    c = [counter & MASK32, counter >> 32 & MASK32, stream & MASK32, stream >> 32 & MASK32]
    k = [seed & MASK32, seed >> 32 & MASK32]
    for round_index in range(10):
        if round_index > 0:
            k[0] = (k[0] + 0x9E3779B9) & MASK32
            k[1] = (k[1] + 0xBB67AE85) & MASK32
        product0 = 0xD2511F53 * c[0]
        product1 = 0xCD9E8D57 * c[2]
        c = [(product1 >> 32) ^ c[1] ^ k[0], product1 & MASK32, (product0 >> 32) ^ c[3] ^ k[1], product0 & MASK32]
    return c


class Generator:
    def __init__(self, seed, stream):
        self.seed, self.stream, self.counter, self.words = seed, stream, 0, []

    def next32(self):
        if not self.words:
            self.words = philox_block(self.seed, self.stream, self.counter)
            self.counter += 1
        return self.words.pop(0)

    def next64(self):
        high = self.next32()
        return high << 32 | self.next32()


def uniform(bound, generator):
    """A uniform integer in [0, bound): Lemire's method."""
    threshold = ((1 << 64) - bound) % bound
    while True:
        product = generator.next64() * bound
        if product & MASK64 >= threshold:
            return product >> 64


def epoch_order(seed, epoch, count):
    generator = Generator(seed, stream_id(f"data.epoch.{epoch}"))
    order = list(range(count))
    for index in range(count - 1, 0, -1):
        other = uniform(index + 1, generator)
        order[index], order[other] = order[other], order[index]
    return order


if __name__ == "__main__":
    print("seed 42, epoch 0, 10 samples:", epoch_order(42, 0, 10))
    print("seed 7, epoch 3, 1000 samples, first 10:", epoch_order(7, 3, 1000)[:10])
