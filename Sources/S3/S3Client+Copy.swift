import NIOHTTP1

extension S3Client {
    /// Copies an object inside the bucket (`CopyObject`, up to 5 GB), keeping its SHA-256 checksum. S3 can
    /// answer 200 with an `<Error>` document when the copy failed midway: that is an error too.
    public func copyObject(from source: String, to destination: String) async throws(S3Error) {
        let sourcePath = "/\(configuration.bucket)/" + SigV4Signer.uriEncode(storeKey(source), encodeSlash: false)
        _ = try await send(
            .PUT,
            storeKey: storeKey(destination),
            headers: [(name: "x-amz-copy-source", value: sourcePath), (name: "x-amz-checksum-algorithm", value: "SHA256")],
            operation: "COPY object",
            errorInBody: true
        )
    }
}
