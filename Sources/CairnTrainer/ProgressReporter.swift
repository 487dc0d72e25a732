import Foundation
import Logging

/// Reports training progress: a log line every `logging_steps` (means over the interval) and, on a terminal, a
/// progress bar with the rate and the time left.
///
/// `step 40/200 | epoch 1.60 | loss 1.2345 | lr 9.51e-04 | grad_norm 0.812 | 8,123 tok/s`
final class ProgressReporter {
    private let console: Console
    private let logger: Logger
    private let totalSteps: Int
    private let loggingSteps: Int
    private let startStep: Int
    private var interval: [StepMetrics] = []
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)

    init(console: Console, logger: Logger, totalSteps: Int, loggingSteps: Int, startStep: Int) {
        self.console = console
        self.logger = logger
        self.totalSteps = totalSteps
        self.loggingSteps = loggingSteps
        self.startStep = startStep
    }

    /// Records a finished step, logging and redrawing as due.
    func record(_ metrics: StepMetrics) {
        interval.append(metrics)
        if metrics.step % loggingSteps == 0 || metrics.step == totalSteps {
            logger.info("\(Self.summary(of: interval, totalSteps: totalSteps))")
            interval.removeAll()
        }
        let now = ContinuousClock.now
        if console.isTerminal, now - lastDraw > .milliseconds(100) || metrics.step == totalSteps {
            lastDraw = now
            console.setStatus(bar(step: metrics.step, now: now))
        }
    }

    /// Removes the progress bar.
    func finish() {
        console.setStatus(nil)
    }

    // MARK: - Private helpers

    static func summary(of steps: [StepMetrics], totalSteps: Int) -> String {
        guard let last = steps.last else { return "" }
        let count = Double(steps.count)
        let loss = steps.map(\.loss).reduce(0, +) / count
        let norm = steps.map(\.gradientNorm).reduce(0, +) / count
        let tokens = steps.map(\.tokens).reduce(0, +)
        let seconds = steps.map(\.seconds).reduce(0, +)
        return "step \(last.step)/\(totalSteps) | epoch \(format(last.epoch, digits: 2)) | loss \(format(loss, digits: 4))"
            + " | lr \(scientific(last.learningRate)) | grad_norm \(format(norm, digits: 3))"
            + " | \(Int(seconds > 0 ? Double(tokens) / seconds : 0)) tok/s"
    }

    private func bar(step: Int, now: ContinuousClock.Instant) -> String {
        let width = 30
        let fraction = totalSteps > 0 ? Double(step) / Double(totalSteps) : 1
        let filled = min(width, Int(fraction * Double(width)))
        let elapsed = (now - started) / .seconds(1)
        let done = step - startStep
        let remaining = done > 0 ? elapsed / Double(done) * Double(totalSteps - step) : 0
        return "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] "
            + "\(step)/\(totalSteps) \(Self.format(fraction * 100, digits: 0))% | \(Self.clock(elapsed)) elapsed, "
            + "\(Self.clock(remaining)) left"
    }

    static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = digits == 0 ? String(Int(rounded)) : String(rounded)
        if digits > 0, let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }

    static func scientific(_ value: Double) -> String {
        guard value != 0, value.isFinite else { return "\(value)" }
        var exponent = Int(Foundation.floor(Foundation.log10(Swift.abs(value))))
        var mantissa = value / Foundation.pow(10, Double(exponent))
        if Swift.abs(mantissa) >= 9.995 {
            mantissa /= 10
            exponent += 1
        }
        let sign = exponent < 0 ? "-" : "+"
        let magnitude = Swift.abs(exponent)
        return "\(format(mantissa, digits: 2))e\(sign)\(magnitude < 10 ? "0" : "")\(magnitude)"
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
    }
}
