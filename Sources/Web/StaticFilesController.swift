import Foundation
import Hummingbird

/// Serves our own CSS and JS from the Web bundle (no CDN), with long caching.
struct StaticFilesController<Context: RequestContext>: Sendable {
    static var types: [String: String] { ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"] }

    func addRoutes(to router: Router<Context>) {
        router.get("/static/:file") { _, context -> Response in
            let name = try context.parameters.require("file")
            let ext = (name as NSString).pathExtension
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }), !name.hasPrefix("."),
                let type = Self.types[ext],
                let folder = Bundle.module.url(forResource: "Static", withExtension: nil),
                let data = try? Data(contentsOf: folder.appending(path: name))
            else { throw HTTPError(.notFound) }
            return Response(
                status: .ok,
                headers: [.contentType: type, .cacheControl: "public, max-age=300", .init("X-Content-Type-Options")!: "nosniff"],
                body: .init(byteBuffer: .init(string: String(decoding: data, as: UTF8.self)))
            )
        }
    }
}
