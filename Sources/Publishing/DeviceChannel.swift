public import AsyncHTTPClient
public import Foundation
public import JSON

/// The `device` channel: publishes by driving the platform's app on a device hub (Appium with UiAutomator2 or
/// XCUITest in production) over W3C WebDriver, by the steps of the platform's `DeviceFlow`.
///
/// A publish is one session: New Session with the flow's capabilities (or `DEVICE_HUB_CAPABILITIES`), the
/// steps in order, the post's id (and address) read from the screen, and Delete Session, always, also after a
/// failure. A step that fails is thrown as a `PublishStepFailure` with a screenshot; problems found before any
/// session (no flow for the platform, media missing) are thrown as a plain `PublishError`.
///
/// ```swift
/// let channel = DeviceChannel(configuration: hub, flows: try DeviceFlow.load(from: pipelines.appending(path: "publish")))
/// let receipt = try await channel.publish(post)
/// ```
public struct DeviceChannel: PublishChannel {
    /// The flows attach local files to the app's file picker.
    public let takesMediaURLs = false
    public let name = "device"
    let client: WebDriverClient
    let flows: [String: DeviceFlow]
    let appURL: String?
    let capabilities: [String: JSONValue]?

    /// - Parameters:
    ///   - hub: `DEVICE_HUB_URL`.
    ///   - token: `DEVICE_HUB_TOKEN`.
    ///   - flows: the device flows, by platform.
    ///   - appURL: `DEVICE_APP_URL`: replaces each flow's `app_url`; `{platform}` in it is the flow's platform.
    ///   - capabilities: `DEVICE_HUB_CAPABILITIES`: replaces each flow's capabilities (never merged with them).
    ///   - commandTimeoutSeconds: how long one WebDriver command may take (default 120 s).
    ///   - http: the HTTP client (`WebDriverClient.defaultHTTPClient` by default).
    public init(
        hub: URL,
        token: String?,
        flows: [String: DeviceFlow],
        appURL: String? = nil,
        capabilities: [String: JSONValue]? = nil,
        commandTimeoutSeconds: Double = 120,
        http: HTTPClient = WebDriverClient.defaultHTTPClient
    ) {
        self.client = WebDriverClient(hub: hub, token: token, commandTimeoutSeconds: commandTimeoutSeconds, http: http)
        self.flows = flows
        self.appURL = appURL
        self.capabilities = capabilities
    }

    /// The channel `DEVICE_HUB_*` and `DEVICE_APP_URL` describe.
    public init(configuration: DeviceHubConfiguration, flows: [String: DeviceFlow]) {
        self.init(
            hub: configuration.url,
            token: configuration.token,
            flows: flows,
            appURL: configuration.appURL,
            capabilities: configuration.capabilities
        )
    }

    public func publish(_ post: PublishRequest) async throws -> PublishReceipt {
        let flow = try flow(for: post)
        if post.media.isEmpty, flow.steps.contains(where: { if case .attach = $0 { true } else { false } }) {
            throw PublishError.failed("the \(post.platform) flow attaches media and this post has none")
        }
        let values = placeholders(flow, post)
        let wanted = (capabilities ?? flow.capabilities).mapValues { $0.mapStrings { DeviceFlow.fill($0, values) } }
        let session: WebDriverSession
        do {
            session = try await client.newSession(capabilities: wanted)
        } catch {
            throw await failure(error, step: "new session", session: nil, flow: flow, post: post, confirmed: false)
        }
        let outcome: Result<PublishReceipt, PublishStepFailure> = await run(flow, post, values: values, on: session)
        // Deleted in a task of its own so that a cancelled publish still frees the device.
        await Task { try? await session.delete() }.value
        return try outcome.get()
    }

    /// The device channel has no way to look for an earlier attempt's post yet.
    public func find(_ post: PublishRequest) async throws -> PublishReceipt? {
        throw PublishError.cannotReconcile("the device channel cannot look for an earlier \(post.platform) post (no lookup is built)")
    }

    func flow(for post: PublishRequest) throws -> DeviceFlow {
        guard let flow = flows[post.platform] else {
            throw PublishError.notConfigured(
                "no device publish flow for \(post.platform) (pipelines/publish/\(post.platform).yaml with channel: device)"
            )
        }
        return flow
    }

    /// The values of a flow's placeholders for `post`.
    func placeholders(_ flow: DeviceFlow, _ post: PublishRequest) -> [String: String] {
        [
            "identity": post.handle,
            "credential": post.credential?.value ?? "",
            "handle": post.handle,
            "text": post.text,
            "app_url": appURL.map { DeviceFlow.fill($0, ["platform": flow.platform]) } ?? flow.appURL,
        ]
    }
}
