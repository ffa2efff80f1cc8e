public import Crypto
public import Foundation
public import NIOCore
import NIOHTTP1

extension S3Client {
    // MARK: Multipart uploads

    /// Starts a multipart upload whose parts carry SHA-256 checksums (`x-amz-checksum-algorithm: SHA256`) and
    /// returns its upload id.
    public func createMultipartUpload(key: String) async throws(S3Error) -> String {
        let answer = try await send(
            .POST,
            storeKey: storeKey(key),
            query: [(name: "uploads", value: "")],
            headers: [(name: "x-amz-checksum-algorithm", value: "SHA256")],
            operation: "create multipart upload"
        )
        guard let root = S3XMLElement.parse(Data(answer.body.readableBytesView)), let id = root.value("UploadId"), !id.isEmpty else {
            throw S3Error(.malformedAnswer, "no UploadId in the answer", operation: "create multipart upload")
        }
        return id
    }

    /// Uploads one part (every part but the last must be at least 5 MiB), declaring its SHA-256 so that the
    /// store refuses bytes that do not match it.
    /// - Parameter checksumSHA256: the part's SHA-256 when the caller has it already (nil: computed here).
    public func uploadPart(
        key: String,
        uploadID: String,
        partNumber: Int,
        body: ByteBuffer,
        checksumSHA256: SHA256Digest? = nil
    ) async throws(S3Error) -> S3UploadedPart {
        guard (1...10_000).contains(partNumber) else { throw .configuration("part number \(partNumber) is not within 1…10000") }
        let digest = checksumSHA256 ?? Self.sha256(body)
        let declared = Data(digest).base64EncodedString()
        let answer = try await send(
            .PUT,
            storeKey: storeKey(key),
            query: [(name: "partNumber", value: String(partNumber)), (name: "uploadId", value: uploadID)],
            headers: [(name: "x-amz-checksum-sha256", value: declared), (name: "x-amz-sdk-checksum-algorithm", value: "SHA256")],
            body: body,
            payloadHash: SigV4Signer.hex(digest),
            operation: "upload part \(partNumber)"
        )
        guard let etag = Self.etag(answer.headers) else {
            throw S3Error(.malformedAnswer, "no ETag for part \(partNumber)", operation: "upload part \(partNumber)")
        }
        return S3UploadedPart(partNumber: partNumber, etag: etag, checksumSHA256: answer.headers.first(name: "x-amz-checksum-sha256") ?? declared)
    }

    /// Completes a multipart upload from its parts, then checks the object's composite checksum, which the
    /// store computes from the bytes it received (in its answer, or else from `HEAD` with checksum mode),
    /// against the one the parts' declared checksums make: on a mismatch the object is deleted and
    /// `.checksumMismatch` thrown. (S3 itself refuses a part whose bytes do not match its declared checksum;
    /// this also catches a store that does not.) A store that reports no checksum is not checked.
    ///
    /// A failure S3 reports inside a 200 answer (an `<Error>` body) is an error like any other (retried when
    /// it is `InternalError` or `SlowDown`). When a retry finds the upload gone because an earlier try
    /// completed it and its answer was lost, the object's stored checksum decides whether it is this upload.
    public func completeMultipartUpload(key: String, uploadID: String, parts: [S3UploadedPart]) async throws(S3Error) -> S3PutResult {
        let sorted = parts.sorted { $0.partNumber < $1.partNumber }
        var xml = #"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#
        for part in sorted {
            xml += "<Part>"
            if let checksum = part.checksumSHA256 { xml += "<ChecksumSHA256>\(Self.escapeXML(checksum))</ChecksumSHA256>" }
            xml += "<ETag>\"\(Self.escapeXML(part.etag))\"</ETag><PartNumber>\(part.partNumber)</PartNumber></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let answer: Response
        do {
            answer = try await send(
                .POST,
                storeKey: storeKey(key),
                query: [(name: "uploadId", value: uploadID)],
                headers: [(name: "content-type", value: "application/xml")],
                body: ByteBuffer(string: xml),
                operation: "complete multipart upload",
                errorInBody: true,
                // Assembling a large object can take the store minutes, with nothing sent meanwhile.
                timeout: max(requestTimeout, Self.completionTimeout)
            )
        } catch {
            guard error.attempts > 1, error.code == "NoSuchUpload", let expected = S3UploadedPart.compositeChecksum(of: sorted),
                let head = try? await headObject(key: key, checksumMode: true), head.checksumSHA256 == expected
            else { throw error }
            return S3PutResult(etag: head.etag, checksumSHA256: head.checksumSHA256)
        }
        guard let completed = S3PutResult(parsing: Data(answer.body.readableBytesView)) else {
            throw S3Error(.malformedAnswer, "no CompleteMultipartUploadResult", operation: "complete multipart upload")
        }
        try await verifyComposite(completed, key: key, parts: sorted)
        return completed
    }

    private func verifyComposite(_ completed: S3PutResult, key: String, parts: [S3UploadedPart]) async throws(S3Error) {
        guard let expected = S3UploadedPart.compositeChecksum(of: parts) else { return }
        var reported = completed.checksumSHA256
        if reported == nil { reported = try await headObject(key: key, checksumMode: true)?.checksumSHA256 }
        // Compared without the "-N" part count, which not every store appends.
        let digest = { (text: String) in text.split(separator: "-").first.map(String.init) ?? text }
        guard let reported, digest(reported) != digest(expected) else { return }
        try? await deleteObject(key: key)
        throw S3Error(
            .checksumMismatch,
            "the store computed \(reported) from the parts it received, the parts declared \(expected); the object was deleted",
            operation: "complete multipart upload"
        )
    }

    /// Aborts a multipart upload and frees its parts; one that is already gone (`NoSuchUpload`) counts as
    /// aborted.
    ///
    /// `CreateMultipartUpload` is retried like every call, so an answer lost on the way can leave an extra,
    /// empty upload behind: `abortMultipartUploads(startedBefore:)` sweeps those.
    public func abortMultipartUpload(key: String, uploadID: String) async throws(S3Error) {
        do {
            _ = try await send(.DELETE, storeKey: storeKey(key), query: [(name: "uploadId", value: uploadID)], operation: "abort multipart upload")
        } catch {
            if error.status == 404, error.code != "NoSuchBucket" { return }
            throw error
        }
    }

    /// The multipart uploads the store holds open under `prefix` (relative to the configured prefix), every
    /// page of them; keys are returned relative to the configured prefix.
    public func listMultipartUploads(prefix: String = "") async throws(S3Error) -> [S3MultipartUpload] {
        var uploads: [S3MultipartUpload] = []
        var markers: (key: String, uploadID: String)?
        while true {
            var query: [(name: String, value: String)] = [(name: "uploads", value: ""), (name: "prefix", value: storeKey(prefix))]
            if let markers {
                query.append((name: "key-marker", value: markers.key))
                query.append((name: "upload-id-marker", value: markers.uploadID))
            }
            let answer = try await send(.GET, storeKey: nil, query: query, operation: "list multipart uploads", answerLimit: 8 << 20)
            guard let page = S3MultipartUploadPage(parsing: Data(answer.body.readableBytesView)) else {
                throw S3Error(.malformedAnswer, "no ListMultipartUploadsResult", operation: "list multipart uploads")
            }
            let ownPrefix = configuration.keyPrefix
            uploads += page.uploads.filter { $0.key.hasPrefix(ownPrefix) }.map {
                S3MultipartUpload(key: String($0.key.dropFirst(ownPrefix.count)), uploadID: $0.uploadID, initiated: $0.initiated)
            }
            guard page.isTruncated, let key = page.nextKeyMarker ?? page.uploads.last?.key,
                let id = page.nextUploadIDMarker ?? page.uploads.last?.uploadID
            else { return uploads }
            markers = (key, id)
        }
    }

    /// Aborts the multipart uploads under `prefix` started before `cutoff` (a writer that died leaves its
    /// parts behind, and the store bills them until they are aborted). Returns how many were aborted.
    public func abortMultipartUploads(startedBefore cutoff: Date, prefix: String = "") async throws(S3Error) -> Int {
        var aborted = 0
        for upload in try await listMultipartUploads(prefix: prefix) {
            guard let initiated = upload.initiated, initiated < cutoff else { continue }
            try await abortMultipartUpload(key: upload.key, uploadID: upload.uploadID)
            aborted += 1
        }
        return aborted
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
