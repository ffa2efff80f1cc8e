/// Reads a `text/event-stream` incrementally, as the WHATWG HTML standard defines it: lines end in LF, CRLF
/// or CR; `event:` names the event, `data:` lines are joined with newlines, `:` starts a comment, and a blank
/// line dispatches. Bytes may arrive split anywhere, even inside a UTF-8 sequence or a CRLF.
public struct ServerSentEventParser: Sendable {
    /// One dispatched event.
    public struct Event: Sendable, Equatable {
        /// The `event:` field, or `message` when none was given.
        public var name: String
        public var data: String
    }

    private var line: [UInt8] = []
    private var eventName = ""
    private var dataLines: [String] = []
    private var hasData = false
    private var lastWasCR = false

    public init() {}

    /// Feeds bytes; returns the events they completed, in order.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [Event] where Bytes.Element == UInt8 {
        var events: [Event] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let event = takeLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: a last event not followed by a blank line is dropped, as the standard says.
    public mutating func finish() -> [Event] {
        line.removeAll()
        reset()
        return []
    }

    private mutating func takeLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer { reset() }
            guard hasData else { return nil }
            return Event(name: eventName.isEmpty ? "message" : eventName, data: dataLines.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let field: String
        var value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var valueStart = line.index(after: colon)
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            value = String(decoding: line[valueStart...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event": eventName = value
        case "data":
            dataLines.append(value)
            hasData = true
        default: break  // `id`, `retry` and unknown fields do not matter here
        }
        value = ""
        return nil
    }

    private mutating func reset() {
        eventName = ""
        dataLines.removeAll()
        hasData = false
    }
}
