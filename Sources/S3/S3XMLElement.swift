import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a small XML answer from the store, read whole with Foundation's `XMLParser` (answers are a
/// few KB: an error, an upload id, a page of uploads). Namespaces are dropped from names.
struct S3XMLElement: Sendable, Equatable {
    var name: String
    var text: String = ""
    var children: [S3XMLElement] = []

    /// The first child with this name.
    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }
    /// Every child with this name.
    func children(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }
    /// The trimmed text of the first child with this name.
    func value(_ name: String) -> String? { child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Parses a document; nil when it is not well-formed XML.
    static func parse(_ data: Data) -> S3XMLElement? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse() else { return nil }
        return builder.root
    }

    /// Builds the tree as the parser goes.
    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [S3XMLElement] = []
        var root: S3XMLElement?

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(S3XMLElement(name: elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}
