import CTesseract
import Foundation

/// A recognised word, in the coordinates of the picture handed to Tesseract.
struct RecognizedWord: Sendable, Equatable {
    var text: String
    var confidence: Double
    var left: Int, top: Int, right: Int, bottom: Int
}

/// The one owner of a `TessBaseAPI` handle (English model). Not thread-safe: one per thread.
final class Tesseract {
    enum SegmentationMode {
        /// One uniform block of text (a caption band).
        case block
        /// Find the layout (a whole picture).
        case automatic

        var raw: TessPageSegMode { self == .block ? PSM_SINGLE_BLOCK : PSM_AUTO }
    }

    private let handle: OpaquePointer

    /// Loads the model from Tesseract's default data folder, or `dataPath`.
    init(language: String = "eng", dataPath: String? = nil) throws {
        Self.globalSetup.lock()
        defer { Self.globalSetup.unlock() }
        guard let handle = TessBaseAPICreate() else { throw TextRecognitionError("cannot create a Tesseract instance") }
        self.handle = handle
        if !Self.quieted {
            // `debug_file` is one of Tesseract's process-wide parameters (a shared std::string): set it once,
            // under the lock, never while another instance might be reading or writing it.
            _ = TessBaseAPISetVariable(handle, "debug_file", "/dev/null")
            Self.quieted = true
        }
        guard TessBaseAPIInit3(handle, dataPath, language) == 0 else {
            TessBaseAPIDelete(handle)
            throw TextRecognitionError("cannot load Tesseract's \(language) model (is tesseract-ocr-\(language) installed?)")
        }
    }

    /// Serialises instance creation, which touches Tesseract's global parameters.
    private static let globalSetup = NSLock()
    nonisolated(unsafe) private static var quieted = false

    deinit {
        TessBaseAPIEnd(handle)
        TessBaseAPIDelete(handle)
    }

    /// Recognises an 8-bit grayscale picture and returns its words with confidences (0–100), stopping
    /// where `monitor` says (the words read before a stop are kept). With a `lineLimit`, a picture whose
    /// layout holds more lines is not read: nil.
    func recognize(gray: [UInt8], width: Int, height: Int, mode: SegmentationMode, monitor: TesseractMonitor, lineLimit: Int? = nil) -> [RecognizedWord]? {
        setImage(gray: gray, width: width, height: height, mode: mode)
        return recognize(monitor: monitor, lineLimit: lineLimit)
    }

    /// Hands Tesseract an 8-bit grayscale picture (it keeps a copy) for `recognize`.
    func setImage(gray: [UInt8], width: Int, height: Int, mode: SegmentationMode) {
        TessBaseAPISetPageSegMode(handle, mode.raw)
        gray.withUnsafeBufferPointer { pixels in
            TessBaseAPISetImage(handle, pixels.baseAddress, Int32(width), Int32(height), 1, Int32(width))
        }
        TessBaseAPISetSourceResolution(handle, 300)
    }

    /// Forgets the picture set last (and its layout) without recognising it.
    func clear() {
        TessBaseAPIClear(handle)
    }

    /// Recognises the picture set last (layout analysis, then the words), stopping where `monitor` says,
    /// and clears it. The layout analysis cannot be interrupted: its CPU time counts toward the budget
    /// all the same.
    func recognize(monitor: TesseractMonitor, lineLimit: Int? = nil) -> [RecognizedWord]? {
        defer { TessBaseAPIClear(handle) }
        guard !monitor.isSpent else { return [] }
        monitor.measure(lineLimit: lineLimit) { TessBaseAPIRecognize(handle, $0) == 0 }
        guard !monitor.callOverLineLimit else { return nil }
        guard let iterator = TessBaseAPIGetIterator(handle) else { return [] }
        defer { TessResultIteratorDelete(iterator) }
        var words: [RecognizedWord] = []
        repeat {
            guard let text = TessResultIteratorGetUTF8Text(iterator, RIL_WORD) else { continue }
            defer { TessDeleteText(text) }
            var left: Int32 = 0
            var top: Int32 = 0
            var right: Int32 = 0
            var bottom: Int32 = 0
            _ = TessPageIteratorBoundingBox(TessResultIteratorGetPageIterator(iterator), RIL_WORD, &left, &top, &right, &bottom)
            let word = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !word.isEmpty else { continue }
            words.append(
                RecognizedWord(
                    text: word,
                    confidence: Double(TessResultIteratorConfidence(iterator, RIL_WORD)),
                    left: Int(left),
                    top: Int(top),
                    right: Int(right),
                    bottom: Int(bottom)
                )
            )
        } while TessResultIteratorNext(iterator, RIL_WORD) != 0
        return words
    }
}

/// OCR could not run.
public struct TextRecognitionError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
