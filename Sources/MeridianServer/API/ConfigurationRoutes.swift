import Foundation
import Hummingbird
import MeridianCore

/// The configuration endpoints of the director's API: `GET /v1/configuration` (the releases, as
/// `ctl config` shows them), and, with the admin token, `POST /v1/admin/configuration` (`ctl
/// apply`: 200 with the release installed, 422 with every problem of a folder that does not load,
/// 409 when this director cannot install it; an error is `{"error"}`, the problems a line each) and `POST /v1/admin/configuration/rollback`.
enum ConfigurationRoutes {
    static let applyPath = "/v1/admin/configuration"
    static let rollbackPath = "/v1/admin/configuration/rollback"

    /// Adds the endpoints for `director` to `router`.
    static func add(to router: Router<APIRequestContext>, director: Director, adminToken: AdminToken?) {
        router.get("/v1/configuration") { _, _ in
            try DirectorAPI.json(director.configurationDocument())
        }
        router.post(.init(applyPath)) { request, _ in
            if let refusal = try DirectorAPI.adminRefusal(request, token: adminToken, director: director) { return refusal }
            guard let body = try? await request.body.collect(upTo: ReleaseFetch.largestAnswer),
                  let asked = try? JSONDecoder().decode(ConfigurationApplyRequest.self, from: Data(buffer: body)) else {
                return try DirectorAPI.problem(.badRequest, "the body must be {\"author\", \"files\": [{\"name\", \"text\"}]}")
            }
            return try answer(director.apply(asked.files, author: asked.author))
        }
        router.post(.init(rollbackPath)) { request, _ in
            if let refusal = try DirectorAPI.adminRefusal(request, token: adminToken, director: director) { return refusal }
            guard let body = try? await request.body.collect(upTo: 64 * 1024),
                  let asked = try? JSONDecoder().decode(ConfigurationRollbackRequest.self, from: Data(buffer: body)) else {
                return try DirectorAPI.problem(.badRequest, "the body must be {\"author\", \"serial\"}")
            }
            return try answer(director.rollback(to: asked.serial, author: asked.author))
        }
    }

    private static func answer(_ result: Director.ApplyResult) throws -> Response {
        switch result {
        case .installed(let announcement):
            return try DirectorAPI.json(ConfigurationDocument.ReleaseStatus(announcement))
        case .invalid(let problems):
            let lines = problems.map(\.description).joined(separator: "\n")
            return try DirectorAPI.problem(.unprocessableContent, "the configuration does not load:\n" + lines)
        case .refused(let reason):
            return try DirectorAPI.problem(.conflict, reason)
        }
    }
}
