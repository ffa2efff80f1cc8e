/// A variant's composed file, what publishes and what its previews show: a reel (an MP4), or a text card made
/// as one picture (a JPEG, content type `image`, that is none of the request's attachments).
public struct ComposedAsset: Sendable, Equatable {
    /// The blob path.
    public let path: String
    /// `video/mp4` for a reel, `image/jpeg` for a card picture.
    public let mime: String

    init(path: String, contentType: String) {
        self.path = path
        mime = contentType == "image" ? "image/jpeg" : "video/mp4"
    }

    /// SQL, true when the content row `c` (of the queue row `q`) holds a composed file.
    static let condition = """
        (c.asset_url IS NOT NULL AND (c.type = 'reel' OR (c.type = 'image' AND NOT EXISTS (
            SELECT 1 FROM post_request_attachments pa
            WHERE pa.post_request_id = q.post_request_id AND pa.storage_path = c.asset_url))))
        """

    /// The composed file of one queue row (`WHERE` and its parameters say which), if it has one.
    static func find(where filter: String, _ parameters: [(any PostgresEncodable)?], on connection: PostgresConnection) throws -> ComposedAsset? {
        guard
            let row = try connection.query(
                "SELECT c.asset_url, c.type FROM content_queue q JOIN content c ON c.id = q.content_id WHERE \(filter) AND \(condition)",
                parameters
            ).first
        else { return nil }
        return ComposedAsset(path: try row.decode("asset_url"), contentType: try row.decode("type"))
    }
}
