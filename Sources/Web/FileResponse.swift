import Foundation
import Hummingbird
import NIOCore

/// Large files from the blob store (media previews, composed reels), streamed in 1 MiB chunks rather than
/// read into memory whole.
enum FileResponse {
    static func stream(file: URL, mime: String) throws -> Response {
        let handle = try FileHandle(forReadingFrom: file)
        let body = ResponseBody { writer in
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: mime, .cacheControl: "private, max-age=3600", .init("X-Content-Type-Options")!: "nosniff"],
            body: body
        )
    }
}
