import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): seeds xoshiro and, as a stateless mixer,
/// makes payload filler a pure function of (flow, direction, stream offset).
@inline(__always)
func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// xoshiro256** (Blackman, Vigna 2018): the generator's only source of decisions,
/// so one seed gives one byte-identical file.
struct Xoshiro256 {
    private var s0, s1, s2, s3: UInt64

    init(seed: UInt64) {
        var x = seed
        func next() -> UInt64 { x &+= 0x9E37_79B9_7F4A_7C15; return splitMix64(x &- 0x9E37_79B9_7F4A_7C15) }
        s0 = next(); s1 = next(); s2 = next(); s3 = next()
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in `range` (Lemire's multiply-shift; the tiny bias does not matter here).
    @inline(__always)
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next().multipliedFullWidth(by: span).high)
    }

    @inline(__always)
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(next().multipliedFullWidth(by: span).high)
    }

    /// True with probability `p`.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Log-uniform in `range`: many small values, a long tail of large ones (flow and record sizes).
    mutating func logUniform(_ range: ClosedRange<Int>) -> Int {
        let lo = Double(range.lowerBound), hi = Double(range.upperBound)
        let v = lo * exp2(unit() * log2(hi / lo))
        return min(range.upperBound, max(range.lowerBound, Int(v)))
    }

    /// Picks an index by weight.
    mutating func pick(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var r = unit() * total
        for (i, w) in weights.enumerated() {
            if r < w { return i }
            r -= w
        }
        return weights.count - 1
    }

    mutating func element<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }

    /// `count` pseudo-random bytes (for literal fields such as TLS randoms).
    mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: next() >> 24) }
        return out
    }
}
