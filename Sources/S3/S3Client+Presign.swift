public import Foundation
import NIOHTTP1

extension S3Client {
    /// A URL anyone can `GET` the object with, without credentials, until `expires` from `date` has passed.
    /// - Parameter expires: 1 second to 7 days (S3's limit); whole seconds.
    public func presignedGetURL(key: String, expires: Duration, date: Date = Date()) throws(S3Error) -> URL {
        let seconds = Int(expires.components.seconds)
        guard (1...604_800).contains(seconds) else { throw .configuration("a presigned URL expires after 1 s to 7 days, not \(expires)") }
        let request = makeRequest(.GET, storeKey: storeKey(key))
        let text = signer.presignedURL(for: request, expires: seconds, date: date)
        guard let url = URL(string: text) else { throw .configuration("the presigned URL is not a URL: \(request.url)") }
        return url
    }
}
