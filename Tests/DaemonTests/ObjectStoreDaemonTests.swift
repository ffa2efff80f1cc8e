import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import S3
import Store
import TestSupport
import Testing

/// `submit` and `serve` with `BLOB_STORE_URL=s3://…` against a real S3 server (moto, checking every signature)
/// and no `STORAGE_DIR`: a video request is stored, analysed and drafted through the object store, a second
/// daemon with a scratch folder of its own serves the request's keyframes, and a refused secret stops `serve`
/// with that reason.
@Suite(
    .enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase && TestEnvironment.executable != nil && MotoServer.isInstalled)),
    .serialized
)
struct ObjectStoreDaemonTests {
    /// The kernel chooses each daemon's port (`DaemonProcess.listeningPort`); `scratch` names its scratch folder.
    func environment(_ moto: MotoServer, database: IsolatedDatabase, scratch: String, secret: String? = nil) throws -> [String: String] {
        [
            "DATABASE_URL": database.url, "OPS_TOKEN": "object-store-operator-token", "HTTP_PORT": "0", "WORKERS": "1",
            "LOG_LEVEL": "info", "PIPELINES_DIR": try TestEnvironment.pipelinesWithoutReels().path,
            "BLOB_STORE_URL": "s3://\(moto.bucket)/drsocial", "S3_ENDPOINT": moto.endpoint.absoluteString, "S3_REGION": "us-east-1",
            "S3_FORCE_PATH_STYLE": "1", "AWS_ACCESS_KEY_ID": moto.credentials.accessKeyID,
            "AWS_SECRET_ACCESS_KEY": secret ?? moto.credentials.secretAccessKey,
            "SCRATCH_DIR": try TestEnvironment.temporaryDirectory("scratch-\(scratch)").path,
        ]
    }

    @Test func aRequestGoesThroughTheObjectStoreAndAnotherDaemonServesItsMedia() async throws {
        let moto = try await MotoServer.start(authenticated: true)
        defer { moto.stop() }
        let database = try await IsolatedDatabase.make("object_store")
        let fixture = try await TenantFixture.make(on: database.pool)
        let submit = try DaemonProcess(
            arguments: ["submit", "--talent", fixture.slug, "--prompt", "Studio tour", "--platforms", "LI", "--file", TestEnvironment.testmedia("short.mp4").path],
            environment: try environment(moto, database: database, scratch: "submit")
        )
        #expect(await submit.waitForExit(within: 120) == 0, "\(submit.output)")
        let daemon = try DaemonProcess(arguments: ["serve"], environment: try environment(moto, database: database, scratch: "first"))
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 120), "\(daemon.output.suffix(2000))")
        func status() async throws -> String? {
            try await database.pool.withConnection { connection in
                try connection.query("SELECT status FROM post_requests WHERE talent_id = $1", [fixture.talentID]).first?.decode("status")
            }
        }
        let ending = try await daemon.watch.wait(until: { try await status() == "complete" }) { try await ProgressWatch.databaseActivity(database.pool) }
        #expect(ending == .done, "\(ending)\n\(daemon.output.suffix(3000))")

        // The attachment and the keyframes are objects in the bucket, under the store's prefix.
        let (attachment, storagePath, keyframes): (UUID, String, Int) = try await database.pool.withConnection { connection in
            let row = try connection.query(
                """
                SELECT a.id, a.storage_path, jsonb_array_length(a.analysis_json->'keyframes'->'keyframes') AS frames
                FROM post_request_attachments a JOIN post_requests r ON r.id = a.post_request_id WHERE r.talent_id = $1
                """,
                [fixture.talentID]
            ).first!
            return (try row.decode("id"), try row.decode("storage_path"), try row.decodeIfPresent("frames") ?? 0)
        }
        let client = moto.client(keyPrefix: "drsocial/")
        let head = try #require(try await client.headObject(key: storagePath), "the attachment is in the bucket")
        #expect(head.size == Int64(try Data(contentsOf: TestEnvironment.testmedia("short.mp4")).count))
        #expect(keyframes > 0, "the keyframes stage stored its frames")
        #expect(try await client.listMultipartUploads().isEmpty)

        // A second daemon, with a scratch folder of its own and nothing shared with the first but PostgreSQL and
        // the bucket, serves the request's keyframe.
        let other = try DaemonProcess(arguments: ["serve"], environment: try environment(moto, database: database, scratch: "second"))
        defer { other.kill() }
        #expect(await other.waitForOutput(containing: "listening", within: 120), "\(other.output.suffix(2000))")
        let second = try #require(other.listeningPort)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(second)/ops/attachments/\(attachment)/keyframes/0")!)
        request.setValue("Bearer object-store-operator-token", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(body.prefix(2) == Data([0xFF, 0xD8]), "a JPEG keyframe")
        await database.pool.close()
    }

    @Test func aRefusedSecretStopsServeWithThatReason() async throws {
        let moto = try await MotoServer.start(authenticated: true)
        defer { moto.stop() }
        let database = try await IsolatedDatabase.make("object_store_refused")
        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: try environment(moto, database: database, scratch: "refused", secret: "not-the-secret")
        )
        defer { daemon.kill() }
        let exit = await daemon.waitForExit(within: 120)
        #expect(exit != nil && exit != 0, "\(daemon.output.suffix(2000))")
        #expect(daemon.output.contains("the object store cannot be used"), "\(daemon.output.suffix(2000))")
        #expect(!daemon.output.contains("not-the-secret"), "the secret is never printed")
        await database.pool.close()
    }
}
