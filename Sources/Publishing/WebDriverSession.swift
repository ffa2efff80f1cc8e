public import Foundation
import NIOHTTP1
public import JSON

/// One WebDriver session on a remote end: the commands a device flow uses. A session holds a device (or a
/// browser) until it is deleted, so whoever creates one deletes it, also after a failure.
public struct WebDriverSession: Sendable {
    /// The session id the remote end gave.
    public let id: String
    /// The capabilities the remote end matched.
    public let capabilities: [String: JSONValue]
    let client: WebDriverClient

    /// Navigate To (`POST /session/{id}/url`): a web address, or on Appium a deep link into the app.
    public func navigate(to url: String) async throws(WebDriverError) {
        _ = try await client.execute(.POST, "/session/{session}/url", .object(["url": .string(url)]), session: id)
    }

    /// Find Element (`POST /session/{id}/element`); throws `.noSuchElement` when nothing matches now.
    public func findElement(_ locator: Locator) async throws(WebDriverError) -> WebDriverElement {
        let body: JSONValue = .object(["using": .string(locator.strategy.rawValue), "value": .string(locator.value)])
        let value = try await client.execute(.POST, "/session/{session}/element", body, session: id)
        guard let element = WebDriverElement(reference: value) else {
            throw WebDriverError(
                code: .malformedAnswer,
                message: "Find Element answered without an element reference",
                command: "POST /session/{session}/element"
            )
        }
        return element
    }

    /// Element Click (`POST /session/{id}/element/{element}/click`).
    public func click(_ element: WebDriverElement) async throws(WebDriverError) {
        _ = try await client.execute(.POST, "/session/{session}/element/{element}/click", session: id, element: element.id)
    }

    /// Element Send Keys (`POST /session/{id}/element/{element}/value`). To an `<input type=file>` the text is
    /// a local path, or several separated by newlines.
    public func sendKeys(_ text: String, to element: WebDriverElement) async throws(WebDriverError) {
        _ = try await client.execute(
            .POST,
            "/session/{session}/element/{element}/value",
            .object(["text": .string(text)]),
            session: id,
            element: element.id
        )
    }

    /// Get Element Text (`GET /session/{id}/element/{element}/text`): its rendered text.
    public func text(of element: WebDriverElement) async throws(WebDriverError) -> String {
        try await client.execute(.GET, "/session/{session}/element/{element}/text", session: id, element: element.id).stringValue ?? ""
    }

    /// Take Screenshot (`GET /session/{id}/screenshot`): the PNG the remote end sent as base64.
    public func screenshot() async throws(WebDriverError) -> Data {
        let value = try await client.execute(.GET, "/session/{session}/screenshot", session: id)
        guard let base64 = value.stringValue, let png = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else {
            throw WebDriverError(
                code: .malformedAnswer,
                message: "Take Screenshot answered without base64 data",
                command: "GET /session/{session}/screenshot"
            )
        }
        return png
    }

    /// Get Page Source (`GET /session/{id}/source`): the DOM in a browser, the view hierarchy as XML on Appium.
    public func source() async throws(WebDriverError) -> String {
        try await client.execute(.GET, "/session/{session}/source", session: id).stringValue ?? ""
    }

    /// Delete Session (`DELETE /session/{id}`): frees the device or closes the browser.
    public func delete() async throws(WebDriverError) {
        _ = try await client.execute(.DELETE, "/session/{session}", session: id)
    }
}
