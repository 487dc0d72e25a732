#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPU feature flags of this machine, as Linux reports them in `/proc/cpuinfo`.
///
/// Linux lists a flag only when both the CPU and the kernel support it (AVX-512 needs the kernel to save the
/// wider registers), which is exactly the condition for running kernels that use it; raw CPUID would need an extra
/// XGETBV check. Where `/proc/cpuinfo` does not exist (macOS), the set is empty and OpenBLAS detects the CPU.
public enum CPUFeatures {
    /// The flags of the first processor in `/proc/cpuinfo`, or an empty set when it cannot be read.
    public static func current() -> Set<String> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if let flags = flags(fromCPUInfoLine: text) { return flags }
        }
        return []
    }

    /// The flags named on `text`'s first `flags : …` line (x86) or `Features : …` line (Arm), if any.
    public static func flags(fromCPUInfo text: String) -> Set<String> {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let flags = flags(fromCPUInfoLine: String(line)) { return flags }
        }
        return []
    }

    /// The flags on one `/proc/cpuinfo` line, or `nil` when the line is not a flags line.
    static func flags(fromCPUInfoLine line: String) -> Set<String>? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[..<colon].trimmingCharacters(in: " \t")
        guard name == "flags" || name == "Features" else { return nil }
        let values = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        return Set(values.map(String.init))
    }
}

extension Substring {
    /// The text without leading and trailing characters from `characters`.
    fileprivate func trimmingCharacters(in characters: String) -> String {
        var slice = self[...]
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
