import Blobs
import Foundation
import Publishing
import TestSupport
import Testing
import JSON

/// The shipped device flows (`pipelines/publish/instagram.yaml`, `tiktok.yaml`) run through `DeviceChannel`
/// against a real W3C WebDriver server (chromedriver driving headless chromium) on a page that imitates the
/// apps' upload screens (`Tests/Publishing/device_platform.py`): what is posted, what comes back, and how a
/// failed step is reported and classified.
@Suite(.enabled(if: TestEnvironment.available(FileManager.default.isExecutableFile(atPath: ChromeDriverProcess.executable))), .serialized)
struct DeviceChannelTests {
    struct Harness {
        let page: DevicePlatformServer
        let driver: ChromeDriverProcess
        let flows: [String: DeviceFlow]
        let channel: DeviceChannel
        let blobs: LocalBlobStore

        /// A `testmedia/` file stored the way an attachment is: its local file, as the publisher hands it over,
        /// and its digest.
        func media(_ name: String) async throws -> (path: String, blob: StoredBlob) {
            let blob = try await blobs.store(file: TestEnvironment.testmedia(name), in: .unassigned)
            return (try await blobs.localFile(for: blob.path).path, blob)
        }
    }

    /// The page, chromedriver, and a channel configured the way the daemon would be from the environment;
    /// both processes are killed afterwards, and no browser may be left running under chromedriver.
    func withHarness(_ body: (Harness) async throws -> Void) async throws {
        let page = try DevicePlatformServer()
        defer { page.stop() }
        let driver = try await ChromeDriverProcess.start()
        defer { driver.stop() }
        let configuration = try #require(
            try DeviceHubConfiguration.fromEnvironment([
                "DEVICE_HUB_URL": driver.url.absoluteString,
                "DEVICE_HUB_CAPABILITIES": ChromeDriverProcess.capabilitiesJSON,
                "DEVICE_APP_URL": page.appURL,
            ])
        )
        let flows = try DeviceFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish"))
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("device-blobs"))
        try await body(
            Harness(page: page, driver: driver, flows: flows, channel: DeviceChannel(configuration: configuration, flows: flows), blobs: blobs)
        )
        #expect(driver.children().isEmpty, "a browser is still running: a session was not deleted")
    }

    func post(_ platform: String, caption: String, media: [String]) -> PublishRequest {
        PublishRequest(
            variantID: UUID(),
            platform: platform,
            handle: "studio.test",
            vaultRef: nil,
            caption: caption,
            hashtags: ["#Studio", "#DrSocial"],
            media: media,
            attemptKey: "\(UUID()):1"
        )
    }

    /// The number and description of a flow's `confirm` step, as a failure names it.
    func confirmStep(_ flow: DeviceFlow) throws -> String {
        let index = try #require(flow.steps.firstIndex { if case .confirm = $0 { true } else { false } })
        return "\(index + 1): \(flow.steps[index])"
    }

    /// What the page must have received of a stored file: its name, size and digest.
    func summary(_ media: (path: String, blob: StoredBlob)) -> [String: String] {
        ["name": URL(filePath: media.path).lastPathComponent, "size": "\(media.blob.bytes)", "sha256": media.blob.sha256]
    }

    func recordedFiles(_ post: [String: Any]) -> [[String: String]] {
        (post["files"] as? [[String: Any]] ?? []).map { file in
            ["name": "\(file["name"] ?? "")", "size": "\(file["size"] ?? "")", "sha256": "\(file["sha256"] ?? "")"]
        }
    }

    // MARK: Publishing

    @Test func instagramPostsOnceWithTheCaptionAndTheFiles() async throws {
        try await withHarness { h in
            let photos = [try await h.media("photo.jpg"), try await h.media("photo2.jpg")]
            let request = post(
                "instagram",
                caption: "Morning light in the café, 'before' and \"after\" \(UUID().uuidString.prefix(8))\nSecond line",
                media: photos.map(\.path)
            )
            let receipt = try await h.channel.publish(request)

            let posts = try await h.page.posts()
            #expect(posts.count == 1)
            let recorded = try #require(posts.first)
            #expect(recorded["platform"] as? String == "instagram")
            #expect(recorded["caption"] as? String == request.text)
            #expect(recordedFiles(recorded) == photos.map(summary))
            #expect(receipt.postID == recorded["id"] as? String)
            #expect(receipt.url == recorded["url"] as? String)
        }
    }

    @Test func tiktokPostsTheVideo() async throws {
        try await withHarness { h in
            let video = try await h.media("short.mp4")
            let request = post("tiktok", caption: "Behind the scenes \(UUID().uuidString.prefix(8))", media: [video.path])
            let receipt = try await h.channel.publish(request)

            let posts = try await h.page.posts()
            #expect(posts.count == 1)
            let recorded = try #require(posts.first)
            #expect(recorded["platform"] as? String == "tiktok")
            #expect(recorded["caption"] as? String == request.text)
            #expect(recordedFiles(recorded) == [summary(video)])
            #expect(receipt.postID == recorded["id"] as? String)
            #expect(receipt.url == recorded["url"] as? String)
        }
    }

    // MARK: Failures

    @Test func aMissingButtonFailsTheStepWithAScreenshot() async throws {
        try await withHarness { h in
            let request = post("instagram", caption: "A new screen [broken]", media: [try await h.media("photo.jpg").path])
            let failure = try await #require(throws: PublishStepFailure.self) { try await h.channel.publish(request) }

            let flow = try #require(h.flows["instagram"])
            #expect(failure.step == (try confirmStep(flow)))
            let png = try #require(failure.screenshotPNG)
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            guard case .failed(let reason) = failure.error else {
                Issue.record("a missing button is neither hard nor soft: \(failure.error)")
                return
            }
            #expect(reason.contains("did not appear"))
            #expect(try await h.page.posts().isEmpty)
        }
    }

    @Test func aRestrictedAccountIsHard() async throws {
        try await withHarness { h in
            let request = post("tiktok", caption: "Launch day [restricted]", media: [try await h.media("short.mp4").path])
            let failure = try await #require(throws: PublishStepFailure.self) { try await h.channel.publish(request) }

            let flow = try #require(h.flows["tiktok"])
            #expect(failure.step == (try confirmStep(flow)))
            #expect(failure.screenshotPNG != nil)
            guard case .hard(let reason) = failure.error else {
                Issue.record("a restricted account must be hard: \(failure.error)")
                return
            }
            // What the screen said, not the caption's switch.
            #expect(reason.contains("Your account has been restricted"))
            #expect(!reason.contains("[restricted]"))
            #expect(try await h.page.posts().isEmpty)
        }
    }

    @Test func aHubWithNothingListeningIsSoft() async throws {
        let flows = try DeviceFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish"))
        let port = try LoopbackPort.free()
        let channel = DeviceChannel(hub: URL(string: "http://127.0.0.1:\(port)")!, token: "secret-token", flows: flows, commandTimeoutSeconds: 30)
        let failure = try await #require(throws: PublishStepFailure.self) {
            try await channel.publish(post("instagram", caption: "Nobody home", media: [TestEnvironment.testmedia("photo.jpg").path]))
        }
        #expect(failure.step == "new session")
        #expect(failure.screenshotPNG == nil)
        guard case .soft(let reason) = failure.error else {
            Issue.record("an unreachable hub must be soft: \(failure.error)")
            return
        }
        #expect(!reason.contains("secret-token"))
    }

    @Test func aPostWithoutMediaFailsBeforeAnySession() async throws {
        let flows = try DeviceFlow.load(from: TestEnvironment.pipelinesDirectory.appending(path: "publish"))
        // Nothing listens there: a session attempt would be a soft failure, not this one.
        let channel = DeviceChannel(hub: URL(string: "http://127.0.0.1:\(try LoopbackPort.free())")!, token: nil, flows: flows)
        await #expect(throws: PublishError.failed("the instagram flow attaches media and this post has none")) {
            try await channel.publish(post("instagram", caption: "Text only", media: []))
        }
        await #expect(throws: PublishError.self) { try await channel.find(post("instagram", caption: "Text only", media: [])) }
    }

    // MARK: The WebDriver client

    @Test func w3cErrorsAreTyped() async throws {
        let driver = try await ChromeDriverProcess.start()
        defer { driver.stop() }
        let client = WebDriverClient(hub: driver.url, token: nil)
        let capabilities = try #require(
            try JSONDecoder().decode(JSONValue.self, from: Data(ChromeDriverProcess.capabilitiesJSON.utf8)).objectValue
        )
        let session = try await client.newSession(capabilities: capabilities)
        do {
            try await session.navigate(to: "data:text/html,<p id='hello'>Hello</p>")
            let element = try await session.findElement(.css("#hello"))
            #expect(try await session.text(of: element) == "Hello")
            let missing = await #expect(throws: WebDriverError.self) { try await session.findElement(.xpath("//*[@content-desc='Nowhere']")) }
            #expect(missing?.code == .noSuchElement)
            #expect(missing?.status == 404)
            let invalid = await #expect(throws: WebDriverError.self) { try await session.findElement(.xpath("//*[")) }
            #expect(invalid?.code == .w3c("invalid selector"))
        } catch {
            try? await session.delete()
            throw error
        }
        try await session.delete()
        let gone = await #expect(throws: WebDriverError.self) { try await session.navigate(to: "about:blank") }
        #expect(gone?.code == .invalidSessionID)
        #expect(driver.children().isEmpty)
    }
}
