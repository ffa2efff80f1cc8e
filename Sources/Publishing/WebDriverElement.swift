import JSON
/// A web element reference a remote end handed out (Find Element), valid within its session.
public struct WebDriverElement: Sendable, Hashable {
    /// The W3C web element identifier, the key of an element reference in JSON.
    public static let referenceKey = "element-6066-11e4-a52e-4f735466cecf"
    /// The JSON Wire Protocol's key, which older Appium servers still send instead.
    static let legacyReferenceKey = "ELEMENT"

    public let id: String

    public init(id: String) { self.id = id }

    /// The reference in an answer (`{"element-6066-…": id}`); nil when it is none.
    init?(reference: JSONValue) {
        guard let id = (reference[Self.referenceKey] ?? reference[Self.legacyReferenceKey])?.stringValue else { return nil }
        self.id = id
    }
}
