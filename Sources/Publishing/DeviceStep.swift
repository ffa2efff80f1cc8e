/// One declared step of a device flow (`steps:` in `pipelines/publish/<platform>.yaml`). A step is a mapping
/// with one verb and its modifiers:
///
/// ```yaml
/// - open: "{app_url}"                                    # navigate to a URL or deep link
/// - tap: {xpath: "//*[@content-desc='New post']"}        # find, then click
/// - attach: {xpath: "//*[@resource-id='…:id/gallery_file_input']"}   # send the media paths to a file input
/// - type: {xpath: "//*[@resource-id='…:id/caption_input_text_view']"}
///   text: "{text}"                                       # find, then send keys of the filled template
/// - wait_for: {xpath: "//*[@content-desc='Share']"}
///   timeout: 60                                          # seconds; the flow's step_timeout when left out
/// - confirm: {xpath: "//*[@content-desc='Share']"}       # the tap that publishes
/// - read: {xpath: "//*[@resource-id='…:id/post_id']"}
///   into: post_id                                        # or post_url
/// ```
public enum DeviceStep: Sendable, Equatable, CustomStringConvertible {
    /// What a `read` step stores.
    public enum Field: String, Sendable, Equatable {
        case postID = "post_id"
        case postURL = "post_url"
    }

    /// Navigate to a URL template (`{app_url}`, `{handle}`, `{identity}`).
    case open(String)
    /// Find and click.
    case tap(Locator, timeout: Double?)
    /// Find and send keys of a text template (`{text}` is the caption with its hashtags).
    case type(Locator, text: String, timeout: Double?)
    /// Find a file input and send it the post's media paths, one per line.
    case attach(Locator, timeout: Double?)
    /// Wait until the locator matches.
    case waitFor(Locator, timeout: Double?)
    /// Find, read the element's text (waiting while it is empty) and keep it as `field`. Once `post_id` is read
    /// the post counts as published: a later step that fails only leaves out what it would have read.
    case read(Locator, into: Field, timeout: Double?)
    /// The tap that publishes: after it, a failure may leave a post behind.
    case confirm(Locator, timeout: Double?)

    /// The verb as a flow writes it.
    public var verb: String {
        switch self {
        case .open: "open"
        case .tap: "tap"
        case .type: "type"
        case .attach: "attach"
        case .waitFor: "wait_for"
        case .read: "read"
        case .confirm: "confirm"
        }
    }

    /// The step's locator; nil for `open`.
    public var locator: Locator? {
        switch self {
        case .open: nil
        case .tap(let locator, _), .type(let locator, _, _), .attach(let locator, _), .waitFor(let locator, _), .read(let locator, _, _),
            .confirm(let locator, _):
            locator
        }
    }

    /// The step's own timeout in seconds, if it declares one.
    public var timeout: Double? {
        switch self {
        case .open: nil
        case .tap(_, let timeout), .type(_, _, let timeout), .attach(_, let timeout), .waitFor(_, let timeout), .read(_, _, let timeout),
            .confirm(_, let timeout):
            timeout
        }
    }

    /// `tap //*[@content-desc='Share']`, `open {app_url}`: the verb and what it acts on, never the post's text.
    public var description: String {
        switch self {
        case .open(let target): "open \(target)"
        default: "\(verb) \(locator.map { "\($0)" } ?? "")"
        }
    }

    // MARK: Parsing

    /// Reads one entry of `steps:`; `fail` makes an error naming the file and the step.
    static func parse(_ raw: Any, fail: (String) -> PublishFlowError) throws -> DeviceStep {
        guard let mapping = raw as? [String: Any] else { throw fail("expected a mapping such as {tap: {xpath: …}}") }
        let verbs = ["open", "tap", "type", "attach", "wait_for", "read", "confirm"]
        let present = mapping.keys.filter { verbs.contains($0) }
        guard present.count == 1, let verb = present.first else { throw fail("needs exactly one of \(verbs.joined(separator: ", "))") }
        let modifiers: Set<String> =
            switch verb {
            case "open": []
            case "type": ["text", "timeout"]
            case "read": ["into", "timeout"]
            default: ["timeout"]
            }
        if let unknown = mapping.keys.first(where: { $0 != verb && !modifiers.contains($0) }) { throw fail("'\(verb)' takes no '\(unknown)'") }
        var timeout: Double?
        if let raw = mapping["timeout"] {
            guard let seconds = (raw as? Double) ?? (raw as? Int).map(Double.init), seconds > 0 else {
                throw fail("'timeout' must be a positive number of seconds")
            }
            timeout = seconds
        }
        if verb == "open" {
            guard let target = mapping[verb] as? String, !target.isEmpty else { throw fail("'open' needs a URL") }
            return .open(target)
        }
        guard let locator = Locator(flowValue: mapping[verb]) else {
            throw fail("'\(verb)' needs one locator: {xpath: …}, {css: …} or {accessibility_id: …}")
        }
        switch verb {
        case "tap": return .tap(locator, timeout: timeout)
        case "attach": return .attach(locator, timeout: timeout)
        case "wait_for": return .waitFor(locator, timeout: timeout)
        case "confirm": return .confirm(locator, timeout: timeout)
        case "type":
            guard let text = mapping["text"] as? String else { throw fail("'type' needs 'text' (a template such as \"{text}\")") }
            return .type(locator, text: text, timeout: timeout)
        default:
            guard let into = (mapping["into"] as? String).flatMap(Field.init(rawValue:)) else {
                throw fail("'read' needs 'into: post_id' or 'into: post_url'")
            }
            return .read(locator, into: into, timeout: timeout)
        }
    }
}
