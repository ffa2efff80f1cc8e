public import Foundation
public import JSON

/// Where the device hub is and how to talk to it, from the environment.
///
/// - `DEVICE_HUB_URL`: the hub's WebDriver endpoint (`http://hub:4723`); unset, the daemon has no device channel.
/// - `DEVICE_HUB_TOKEN`: sent as `Authorization: Bearer` when set (default: none).
/// - `DEVICE_HUB_CAPABILITIES`: a JSON object that **replaces** each flow's `capabilities` (default: none, the
///   flows' own). Replaced rather than merged, so that a hub of another kind (chromedriver in the tests) gets
///   none of the flows' Appium-only capabilities such as `platformName: Android`. Its strings take the flows'
///   placeholders (`{identity}`, `{handle}`).
/// - `DEVICE_APP_URL`: replaces each flow's `app_url` (the `{app_url}` of its steps); `{platform}` in it stands for
///   the flow's platform, as in `http://127.0.0.1:8080/{platform}` (default: the flows' own).
public struct DeviceHubConfiguration: Sendable, Equatable {
    public var url: URL
    public var token: String?
    public var capabilities: [String: JSONValue]?
    public var appURL: String?

    /// The configuration in `environment`, or nil when `DEVICE_HUB_URL` is unset or empty.
    /// - Throws: `Invalid` when the URL is not http(s) or `DEVICE_HUB_CAPABILITIES` is not a JSON object.
    public static func fromEnvironment(_ environment: [String: String]) throws -> DeviceHubConfiguration? {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let raw = value("DEVICE_HUB_URL") else { return nil }
        guard let url = URL(string: raw), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw Invalid(description: "DEVICE_HUB_URL must be an http(s) URL with a host")
        }
        var capabilities: [String: JSONValue]?
        if let json = value("DEVICE_HUB_CAPABILITIES") {
            guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else {
                throw Invalid(description: "DEVICE_HUB_CAPABILITIES must be a JSON object such as {\"browserName\": \"chrome\"}")
            }
            capabilities = members
        }
        return DeviceHubConfiguration(url: url, token: value("DEVICE_HUB_TOKEN"), capabilities: capabilities, appURL: value("DEVICE_APP_URL"))
    }

    /// A device hub setting that cannot be used.
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }
}
