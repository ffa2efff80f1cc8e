import Foundation
import Publishing
import TestSupport
import Testing
import JSON

/// Device flow files and the device hub's settings, without a hub.
struct DeviceFlowTests {
    let directory = TestEnvironment.pipelinesDirectory.appending(path: "publish")

    @Test func theShippedFlowsLoadOnBothSides() throws {
        let flows = try DeviceFlow.load(from: directory)
        #expect(Set(flows.keys) == ["instagram", "tiktok"])
        for flow in flows.values {
            #expect(flow.steps.first == .open("{app_url}"))
            #expect(flow.steps.contains { if case .confirm = $0 { true } else { false } })
            #expect(flow.steps.contains { if case .read(_, .postID, _) = $0 { true } else { false } })
            #expect(flow.capabilities["platformName"] == .string("Android"))
            #expect(flow.match("Your account has been restricted") == .hard("Your account has been restricted"))
        }
        // The MCP side reads the same folder and still finds the device files acceptable.
        let publishFlows = try PublishFlow.load(from: directory)
        #expect(publishFlows["instagram"]?.channel == "device")
        #expect(publishFlows["linkedin"]?.channel == "mcp")
    }

    func parse(_ steps: String, extra: String = "") throws -> DeviceFlow {
        try DeviceFlow.parse("channel: device\napp_url: \"app://\"\n\(extra)steps:\n\(steps)", platform: "test", file: "test.yaml")
    }

    let confirmAndRead = """
          - confirm: {xpath: "//*[@content-desc='Share']"}
          - read: {css: "#id"}
            into: post_id
        """

    @Test func aFlowParsesIntoTypedSteps() throws {
        let flow = try parse(
            """
              - open: "{app_url}/create"
              - tap: {accessibility_id: "New post"}
                timeout: 5
              - type: {css: "textarea"}
                text: "{text}"
            \(confirmAndRead)
            """,
            extra: "capabilities: {platformName: Android, \"appium:noReset\": true, \"appium:newCommandTimeout\": 90}\nstep_timeout: 7\n"
        )
        #expect(
            flow.steps == [
                .open("{app_url}/create"), .tap(.accessibilityID("New post"), timeout: 5), .type(.css("textarea"), text: "{text}", timeout: nil),
                .confirm(.xpath("//*[@content-desc='Share']"), timeout: nil), .read(.css("#id"), into: .postID, timeout: nil),
            ]
        )
        #expect(flow.stepTimeout == 7)
        #expect(flow.capabilities == ["platformName": .string("Android"), "appium:noReset": .bool(true), "appium:newCommandTimeout": .number(90)])
        #expect(flow.steps[3].description == "confirm //*[@content-desc='Share']")
        #expect(flow.steps[1].description == "tap accessibility id New post")
    }

    @Test(arguments: [
        ("  - tap: {xpath: \"//a\"}\n", "exactly one 'confirm'"),
        ("  - confirm: {xpath: \"//a\"}\n", "'read' with 'into: post_id'"),
        (
            "  - confirm: {xpath: \"//a\"}\n  - type: {xpath: \"//b\"}\n    text: x\n  - read: {xpath: \"//c\"}\n    into: post_id\n",
            "step 2: 'type' cannot come after"
        ),
        ("  - swipe: {xpath: \"//a\"}\n", "step 1: needs exactly one of"),
        ("  - tap: {xpath: \"//a\", css: \"a\"}\n", "step 1: 'tap' needs one locator"),
        ("  - tap: {xpath: \"//a\"}\n    text: x\n", "step 1: 'tap' takes no 'text'"),
        ("  - read: {xpath: \"//a\"}\n    into: likes\n", "step 1: 'read' needs 'into: post_id'"),
        ("  - tap: {xpath: \"//a\"}\n    timeout: -1\n", "step 1: 'timeout' must be a positive"),
    ])
    func badFlowsFailWithTheirFileAndStep(steps: String, message: String) throws {
        let error = try #require(throws: PublishFlowError.self) { try parse(steps) }
        #expect(error.description.hasPrefix("test.yaml: "))
        #expect(error.description.contains(message), "\(error.description)")
    }

    @Test func aLookupIsRefusedRatherThanIgnored() throws {
        let error = try #require(throws: PublishFlowError.self) { try parse(confirmAndRead + "\n", extra: "lookup: {steps: []}\n") }
        #expect(error.description.contains("'lookup' is not supported"))
    }

    @Test func placeholdersAreFilledInOnePass() {
        let values = ["text": "Meet {handle} at {app_url}", "handle": "studio", "app_url": "app://"]
        #expect(DeviceFlow.fill("{app_url}/u/{handle}: {text} {unknown} {", values) == "app:///u/studio: Meet {handle} at {app_url} {unknown} {")
        #expect(
            JSONValue.object(["a": .array([.string("{handle}"), .number(1)])]).mapStrings { DeviceFlow.fill($0, values) }
                == .object(["a": .array([.string("studio"), .number(1)])])
        )
    }

    // MARK: DeviceHubConfiguration

    @Test func theHubIsConfiguredFromTheEnvironment() throws {
        #expect(try DeviceHubConfiguration.fromEnvironment([:]) == nil)
        #expect(try DeviceHubConfiguration.fromEnvironment(["DEVICE_HUB_URL": "  "]) == nil)
        let configuration = try #require(
            try DeviceHubConfiguration.fromEnvironment([
                "DEVICE_HUB_URL": "http://hub.internal:4723/wd/hub",
                "DEVICE_HUB_TOKEN": "",
                "DEVICE_HUB_CAPABILITIES": #"{"browserName": "chrome", "goog:chromeOptions": {"args": ["--headless=new"]}}"#,
                "DEVICE_APP_URL": "http://127.0.0.1:8080/{platform}",
            ])
        )
        #expect(configuration.url.absoluteString == "http://hub.internal:4723/wd/hub")
        #expect(configuration.token == nil)
        #expect(
            configuration.capabilities == [
                "browserName": .string("chrome"), "goog:chromeOptions": .object(["args": .array([.string("--headless=new")])]),
            ]
        )
        #expect(configuration.appURL == "http://127.0.0.1:8080/{platform}")
        #expect(try DeviceHubConfiguration.fromEnvironment(["DEVICE_HUB_URL": "http://hub:4723", "DEVICE_HUB_TOKEN": "t"])?.capabilities == nil)
    }

    @Test(arguments: [
        ["DEVICE_HUB_URL": "http://hub:4723", "DEVICE_HUB_CAPABILITIES": #"["chrome"]"#],
        ["DEVICE_HUB_URL": "http://hub:4723", "DEVICE_HUB_CAPABILITIES": "browserName=chrome"],
        ["DEVICE_HUB_URL": "hub:4723"],
    ])
    func badHubSettingsAreRefused(environment: [String: String]) throws {
        let error = try #require(throws: DeviceHubConfiguration.Invalid.self) { try DeviceHubConfiguration.fromEnvironment(environment) }
        #expect(
            error.description.contains(
                environment["DEVICE_HUB_CAPABILITIES"] == nil ? "DEVICE_HUB_URL" : "DEVICE_HUB_CAPABILITIES must be a JSON object"
            )
        )
    }
}
