import Foundation
import Mustache

/// The Mustache templates shipped in the Web bundle. `{{…}}` escapes; we never use `{{{…}}}` for user data.
struct Templates: Sendable {
    let library: MustacheLibrary

    static func load() async throws -> Templates {
        guard let folder = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw TemplateError(description: "the Templates folder is missing from the Web bundle")
        }
        return Templates(library: try await MustacheLibrary(directory: folder.path))
    }

    func render(_ name: String, _ object: Any) throws -> String {
        guard let html = library.render(object, withTemplate: name) else {
            throw TemplateError(description: "no template named \(name)")
        }
        return html
    }
}

struct TemplateError: Error, CustomStringConvertible {
    let description: String
}
