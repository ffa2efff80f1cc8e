import CGMime
import Domain
import Foundation

/// Walks a GMime tree without recursion, counting parts and depth, and collects the body and attachments.
///
/// The tree belongs to the message being parsed; every pointer here is borrowed from it.
struct MIMETreeWalker {
    let limits: MIMELimits
    private(set) var partCount = 0
    private(set) var attachments: [EmailAttachment] = []
    private(set) var omitted: [OmittedAttachment] = []
    private var plainBody: String?
    private var htmlBody: String?

    init(limits: MIMELimits) { self.limits = limits }

    /// The first text/plain body, else the first text/html body as text; trimmed, LF line endings.
    var textBody: String {
        let text = plainBody ?? htmlBody.map(HTMLText.plainText) ?? ""
        return text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Visits `root` and everything under it in message order.
    mutating func walk(_ root: UnsafeMutablePointer<GMimeObject>) throws(MIMEError) {
        var stack: [(object: UnsafeMutablePointer<GMimeObject>, depth: Int)] = [(root, 0)]
        while let (object, depth) = stack.popLast() {
            partCount += 1
            if partCount > limits.maxParts { throw .tooManyParts(limits.maxParts) }
            if depth > limits.maxDepth { throw .tooDeep(limits.maxDepth) }

            if drsocial_gmime_is_multipart(object) != 0 {
                let multipart = drsocial_gmime_as_multipart(object)
                let count = Int(max(0, g_mime_multipart_get_count(multipart)))
                if partCount + stack.count + count > limits.maxParts { throw .tooManyParts(limits.maxParts) }
                if count == 0 {
                    // No boundary (or none found): GMime keeps the whole content as the prologue.
                    if plainBody == nil, let prologue = TextDecoding.string(cString: g_mime_multipart_get_prologue(multipart)),
                        !prologue.isEmpty
                    {
                        plainBody = prologue
                    }
                    continue
                }
                for index in (0..<count).reversed() {
                    if let child = g_mime_multipart_get_part(multipart, Int32(index)) { stack.append((child, depth + 1)) }
                }
            } else if drsocial_gmime_is_message_part(object) != 0 {
                // A forwarded or attached e-mail: its body and attachments count as this message's.
                if let embedded = g_mime_message_part_get_message(drsocial_gmime_as_message_part(object)),
                    let embeddedRoot = g_mime_message_get_mime_part(embedded)
                {
                    stack.append((embeddedRoot, depth + 1))
                }
            } else if drsocial_gmime_is_part(object) != 0 {
                leaf(object)
            }
        }
    }

    // MARK: Leaves

    private mutating func leaf(_ object: UnsafeMutablePointer<GMimeObject>) {
        guard let part = drsocial_gmime_as_part(object) else { return }
        let contentType = Self.mimeType(object)
        let disposition = g_mime_object_get_disposition(object).map { String(cString: $0).lowercased() }
        let rawFilename = TextDecoding.string(cString: g_mime_part_get_filename(part)).flatMap { $0.isEmpty ? nil : $0 }

        if contentType.hasPrefix("text/") && rawFilename == nil && disposition != "attachment" {
            switch contentType {
            case "text/plain" where plainBody == nil: plainBody = text(of: object)
            case "text/html" where htmlBody == nil: htmlBody = text(of: object)
            default: break  // calendar invites, enriched text, later body parts: neither body nor attachment
            }
            return
        }

        let filename = FilenameSanitizer.sanitize(rawFilename ?? "", fallback: Self.fallbackName(for: contentType))
        let isInline = disposition == "inline" || (disposition == nil && g_mime_object_get_content_id(object) != nil)
        switch decodedContent(of: part) {
        case .data(let data):
            attachments.append(EmailAttachment(filename: filename, contentType: contentType, data: data, isInline: isInline))
        case .tooLarge(let bytes):
            omitted.append(
                OmittedAttachment(
                    filename: filename,
                    contentType: contentType,
                    bytes: bytes,
                    reason: "larger than the \(limits.maxAttachmentBytes)-byte limit"
                )
            )
        case .empty:
            omitted.append(OmittedAttachment(filename: filename, contentType: contentType, bytes: 0, reason: "empty"))
        case .undecodable(let encodedBytes):
            omitted.append(
                OmittedAttachment(
                    filename: filename,
                    contentType: contentType,
                    bytes: encodedBytes,
                    reason: "could not be decoded"
                )
            )
        }
    }

    /// A text part's content converted to UTF-8 from its declared charset; nil when too large to be a body.
    private func text(of object: UnsafeMutablePointer<GMimeObject>) -> String? {
        guard drsocial_gmime_is_text_part(object) != 0,
            let wrapper = g_mime_part_get_content(drsocial_gmime_as_part(object)),
            g_mime_stream_length(g_mime_data_wrapper_get_stream(wrapper)) <= Int64(limits.maxAttachmentBytes),
            let text = g_mime_text_part_get_text(drsocial_gmime_as_text_part(object))
        else { return nil }
        defer { g_free(text) }
        return TextDecoding.string(cString: text)
    }

    // MARK: Decoding

    private enum Content {
        case data(Data)
        case tooLarge(Int)
        case empty
        case undecodable(Int)
    }

    /// The part's bytes after transfer decoding, measured first when they might pass the limit.
    private func decodedContent(of part: UnsafeMutablePointer<GMimePart>) -> Content {
        guard let wrapper = g_mime_part_get_content(part) else { return .empty }
        let encoded = g_mime_data_wrapper_get_stream(wrapper)
        let encodedLength = encoded.map { Int(g_mime_stream_length($0)) } ?? -1
        // Decoding never grows base64, quoted-printable or uuencode, so only a large encoding needs measuring.
        if encodedLength < 0 || encodedLength > limits.maxAttachmentBytes {
            guard let counter = GObjectOwner(g_mime_stream_null_new()) else { return .empty }
            _ = g_mime_data_wrapper_write_to_stream(wrapper, counter.pointer)
            let decodedLength = drsocial_gmime_stream_null_written(counter.pointer)
            if decodedLength > limits.maxAttachmentBytes { return .tooLarge(decodedLength) }
        }
        guard let memory = GObjectOwner(g_mime_stream_mem_new()) else { return .empty }
        _ = g_mime_data_wrapper_write_to_stream(wrapper, memory.pointer)
        guard let array = g_mime_stream_mem_get_byte_array(drsocial_gmime_as_stream_mem(memory.pointer)),
            array.pointee.len > 0, let bytes = array.pointee.data
        else {
            return Self.hasVisibleBytes(encoded) ? .undecodable(max(encodedLength, 0)) : .empty
        }
        return .data(Data(bytes: bytes, count: Int(array.pointee.len)))
    }

    /// Whether the encoded content holds anything but white space (looks at the first 4 KiB).
    private static func hasVisibleBytes(_ stream: UnsafeMutablePointer<GMimeStream>?) -> Bool {
        guard let stream else { return false }
        _ = g_mime_stream_reset(stream)
        defer { _ = g_mime_stream_reset(stream) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let read = buffer.withUnsafeMutableBufferPointer { g_mime_stream_read(stream, $0.baseAddress, $0.count) }
        guard read > 0 else { return false }
        return buffer[0..<read].contains { ![0x20, 0x09, 0x0D, 0x0A].contains(UInt8(bitPattern: $0)) }
    }

    // MARK: Names

    /// `type/subtype` in lower case; `application/octet-stream` when GMime has none.
    private static func mimeType(_ object: UnsafeMutablePointer<GMimeObject>) -> String {
        guard let contentType = g_mime_object_get_content_type(object), let text = g_mime_content_type_get_mime_type(contentType)
        else { return "application/octet-stream" }
        defer { g_free(text) }
        return String(cString: text).lowercased()
    }

    private static let extensions = [
        "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/heic": "heic", "image/webp": "webp",
        "video/mp4": "mp4", "video/quicktime": "mov", "audio/mp4": "m4a", "audio/mpeg": "mp3", "audio/x-m4a": "m4a",
        "application/pdf": "pdf", "text/plain": "txt", "text/html": "html", "message/rfc822": "eml",
    ]

    /// `attachment.jpg` for an unnamed `image/jpeg`.
    private static func fallbackName(for contentType: String) -> String {
        if let known = extensions[contentType] { return "attachment.\(known)" }
        let subtype = contentType.split(separator: "/").last.map(String.init) ?? ""
        let plain = !subtype.isEmpty && subtype.count <= 5 && subtype.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return plain ? "attachment.\(subtype)" : "attachment"
    }
}
