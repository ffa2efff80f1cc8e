import Foundation

extension DeviceHubConfiguration: CustomStringConvertible {
    /// The hub and app URLs; the token is never shown (`DEVICE_HUB_TOKEN`).
    public var description: String {
        "DeviceHubConfiguration(url: \(url), token: \(token == nil ? "none" : "<redacted>"), appURL: \(appURL ?? "none"))"
    }
}
