/// Passes on the latest of many progress reports, at most once per `interval`: a stage may report every
/// streamed token, and the database sees a handful of writes. Reports after `close()` are dropped, so a late
/// one cannot overwrite the summary a finished stage recorded.
actor ProgressReporter {
    private let interval: Duration
    private let write: @Sendable (String) async -> Void
    private var latest: String?
    private var flushing = false
    private var closed = false

    init(interval: Duration, write: @escaping @Sendable (String) async -> Void) {
        self.interval = interval
        self.write = write
    }

    func offer(_ text: String) async {
        guard !closed else { return }
        latest = text
        guard !flushing else { return }
        flushing = true
        while let text = latest, !closed {
            latest = nil
            await write(text)
            try? await Task.sleep(for: interval)
        }
        flushing = false
    }

    func close() {
        closed = true
        latest = nil
    }
}
