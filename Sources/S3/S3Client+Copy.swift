import Foundation
import NIOCore
import NIOHTTP1

extension S3Client {
    /// The largest object S3 copies in one `CopyObject` (5 GiB); larger ones are copied part by part.
    public static let singleCopyLimit: Int64 = 5 << 30

    /// Copies an object within the bucket, server-side; the store computes the copy's SHA-256 checksum.
    /// An object of more than `singleCopyLimit` bytes (`size`, when the caller knows it) is copied as a
    /// multipart upload of `UploadPartCopy` ranges of `partBytes`, aborted if any part fails.
    public func copyObject(
        from source: String,
        to destination: String,
        size: Int64? = nil,
        singleCopyLimit: Int64 = S3Client.singleCopyLimit,
        partBytes: Int64 = 1 << 30
    ) async throws(S3Error) {
        if let size, size > singleCopyLimit {
            try await copyObjectInParts(from: source, to: destination, size: size, partBytes: partBytes)
            return
        }
        _ = try await send(
            .PUT,
            storeKey: storeKey(destination),
            headers: [(name: "x-amz-copy-source", value: copySource(source)), (name: "x-amz-checksum-algorithm", value: "SHA256")],
            operation: "COPY object",
            errorInBody: true
        )
    }

    private func copySource(_ key: String) -> String {
        "/\(configuration.bucket)/" + SigV4Signer.uriEncode(storeKey(key), encodeSlash: false)
    }

    private func copyObjectInParts(from source: String, to destination: String, size: Int64, partBytes: Int64) async throws(S3Error) {
        let uploadID = try await createMultipartUpload(key: destination)
        do throws(S3Error) {
            var parts: [S3UploadedPart] = []
            var start: Int64 = 0
            while start < size {
                let end = min(start + partBytes, size) - 1
                let number = parts.count + 1
                let operation = "copy part \(number)"
                let answer = try await send(
                    .PUT,
                    storeKey: storeKey(destination),
                    query: [(name: "partNumber", value: String(number)), (name: "uploadId", value: uploadID)],
                    headers: [(name: "x-amz-copy-source", value: copySource(source)), (name: "x-amz-copy-source-range", value: "bytes=\(start)-\(end)")],
                    operation: operation,
                    errorInBody: true
                )
                guard let result = S3XMLElement.parse(Data(answer.body.readableBytesView)), let etag = result.value("ETag") else {
                    throw S3Error(.malformedAnswer, "no ETag in the CopyPartResult", operation: operation)
                }
                let checksum = result.value("ChecksumSHA256").flatMap { $0.isEmpty ? nil : $0 }
                parts.append(S3UploadedPart(partNumber: number, etag: etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")), checksumSHA256: checksum))
                start = end + 1
            }
            _ = try await completeMultipartUpload(key: destination, uploadID: uploadID, parts: parts)
        } catch {
            try? await abortMultipartUpload(key: destination, uploadID: uploadID)
            throw error
        }
    }
}
