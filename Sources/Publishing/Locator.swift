/// How a device flow finds an element: a WebDriver location strategy and its selector, written in a flow as
/// `{xpath: "//*[@content-desc='Share']"}`, `{css: "textarea"}` or `{accessibility_id: "Share"}` (Appium's).
///
/// XPath on Android-style attributes (`@content-desc`, `@resource-id`) works on Appium's UiAutomator2 and, on a
/// page that carries those attributes, in a browser, which is how the shipped flows are tested.
public struct Locator: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// A W3C location strategy (its `using`), or one a hub adds.
    public enum Strategy: String, Sendable, CaseIterable {
        case xpath
        case css = "css selector"
        case accessibilityID = "accessibility id"

        /// The key that names the strategy in a flow file.
        public var flowKey: String {
            switch self {
            case .xpath: "xpath"
            case .css: "css"
            case .accessibilityID: "accessibility_id"
            }
        }
    }

    public var strategy: Strategy
    public var value: String

    public init(_ strategy: Strategy, _ value: String) {
        self.strategy = strategy
        self.value = value
    }

    public static func xpath(_ value: String) -> Locator { Locator(.xpath, value) }
    public static func css(_ value: String) -> Locator { Locator(.css, value) }
    public static func accessibilityID(_ value: String) -> Locator { Locator(.accessibilityID, value) }

    /// Reads `{xpath: …}`, `{css: …}` or `{accessibility_id: …}`; nil for anything else.
    public init?(flowValue: Any?) {
        guard let mapping = flowValue as? [String: Any], mapping.count == 1, let (key, raw) = mapping.first,
            let strategy = Strategy.allCases.first(where: { $0.flowKey == key }), let value = raw as? String, !value.isEmpty
        else { return nil }
        self.init(strategy, value)
    }

    /// The selector itself for XPath (the usual case), else prefixed with its strategy.
    public var description: String { strategy == .xpath ? value : "\(strategy.rawValue) \(value)" }
}
