import Foundation
import Store

/// Where each stage run sits in time, for the run page's waterfall: a bar's start and length in
/// thousandths of the span from the first stage's start to the last stage's end, so stages that ran side
/// by side (one attachment's analysis beside another's) show as overlapping bars. A stage still running
/// ends now; a bar is never thinner than `minimumWidth`, so a 1 ms stage stays visible.
struct StageTimeline {
    static let scale = 1000
    static let minimumWidth = 4

    let start: Date
    let span: TimeInterval
    let now: Date

    init(_ stages: [OpsQueries.StageView], now: Date = Date()) {
        self.now = now
        let start = stages.map(\.startedAt).min() ?? now
        let end = stages.map { Self.end(of: $0, now: now) }.max() ?? start
        self.start = start
        self.span = max(end.timeIntervalSince(start), 0.001)
    }

    /// The stage's bar: `x` and `width` in thousandths of the span.
    func bar(for stage: OpsQueries.StageView) -> (x: Int, width: Int) {
        let scale = Double(Self.scale)
        let x = min(Int((stage.startedAt.timeIntervalSince(start) / span * scale).rounded()), Self.scale - Self.minimumWidth)
        let length = Self.end(of: stage, now: now).timeIntervalSince(stage.startedAt)
        let width = max(Self.minimumWidth, Int((length / span * scale).rounded()))
        return (max(0, x), min(width, Self.scale - max(0, x)))
    }

    /// The span as people read it: `850 ms`, `13.6 s`, `2 min 05 s`.
    var spanLabel: String {
        if span < 1 { return "\(Int((span * 1000).rounded())) ms" }
        if span < 120 { return String(format: "%.1f s", span) }
        let seconds = Int(span.rounded())
        return String(format: "%d min %02d s", seconds / 60, seconds % 60)
    }

    private static func end(of stage: OpsQueries.StageView, now: Date) -> Date {
        guard let milliseconds = stage.durationMs else { return stage.status == "running" ? max(now, stage.startedAt) : stage.startedAt }
        return stage.startedAt.addingTimeInterval(milliseconds / 1000)
    }
}
