import Foundation

/// One page of a `ListMultipartUploads` answer (`<ListMultipartUploadsResult>`).
struct S3MultipartUploadPage: Sendable, Equatable {
    /// Keys as the store names them (with the configured prefix).
    var uploads: [S3MultipartUpload]
    var isTruncated: Bool
    var nextKeyMarker: String?
    var nextUploadIDMarker: String?

    init?(parsing body: Data) {
        guard let root = S3XMLElement.parse(body), root.name == "ListMultipartUploadsResult" else { return nil }
        uploads = root.children("Upload").compactMap { upload in
            guard let key = upload.value("Key"), let id = upload.value("UploadId") else { return nil }
            return S3MultipartUpload(key: key, uploadID: id, initiated: upload.value("Initiated").flatMap(Self.date))
        }
        isTruncated = root.value("IsTruncated")?.lowercased() == "true"
        nextKeyMarker = root.value("NextKeyMarker").flatMap { $0.isEmpty ? nil : $0 }
        nextUploadIDMarker = root.value("NextUploadIdMarker").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An ISO 8601 time, with or without fractional seconds (`2010-11-10T20:48:33.000Z`).
    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
    }
}
