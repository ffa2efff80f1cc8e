/// What OCR may spend on one picture. Tesseract's progress monitor (`ETEXT_DESC`) holds both bounds: it
/// asks between the lines it recognises whether to go on, and a picture stopped there keeps the text
/// read before the stop, with a note saying so.
///
/// ```swift
/// let reading = recognizer.recognize(image, budget: OCRBudget(cpuSeconds: 2.5, deadlineSeconds: 10))
/// if let notes = reading.notes { print(notes) }  // "stopped at its OCR budget …"
/// ```
public struct OCRBudget: Sendable, Codable, Equatable {
    /// CPU seconds Tesseract may spend on one picture, all its passes together (caption bands, layout
    /// analysis, page). Counted on the reading thread's own CPU clock, in the monitor's cancel callback,
    /// so a busy machine makes a picture slower but never cuts it shorter. The caption search before
    /// Tesseract (linear in the pixels) is not counted. Default 2.5 s.
    public var cpuSeconds: Double
    /// Wall-clock seconds for one picture, from its first pixel to its last Tesseract call, set as the
    /// monitor's deadline: a bound on latency when the machine is so loaded that the CPU budget alone would
    /// let a picture drag on. nil: no deadline (the default), so that what is read does not depend on how
    /// busy the machine was: the CPU budget alone already bounds the work.
    public var deadlineSeconds: Double?

    public init(cpuSeconds: Double = 2.5, deadlineSeconds: Double? = nil) {
        self.cpuSeconds = cpuSeconds
        self.deadlineSeconds = deadlineSeconds
    }
}
