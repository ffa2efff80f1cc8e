/// What reading one picture took, for tests and measurements (not stored with the reading).
struct OCRTrace: Sendable {
    /// What became of the page pass (the whole picture through Tesseract's layout analysis and recognition).
    enum Page: Sendable, Equatable {
        /// Recognised (perhaps cut short by the budget).
        case read
        /// Not recognised: the caption search found nothing and the page is dense texture (`PageTexture`).
        case skippedTexture
        /// Not started: the budget was spent before it.
        case notReached
    }

    /// Times Tesseract consulted its progress monitor, over every call on the picture: once a word (a
    /// line run, with the LSTM engine) in each recognition pass. Tesseract's own count of its progress.
    var ticks: Int
    /// Tesseract's CPU seconds on the picture (the reading thread's CPU clock).
    var cpuSeconds: Double
    var page: Page
    /// What stopped the reading early, if anything did.
    var stop: TesseractMonitor.Stop?
    /// Where it stopped: the word (line) of the pass that was cut, and the words that pass held.
    var stoppedAt: (word: Int, of: Int)?
}
