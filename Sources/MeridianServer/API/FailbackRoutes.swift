import Foundation
import Hummingbird
import MeridianCore

/// The failback endpoints of the director's API: `GET /v1/failback` (the sites failing back, as
/// `ctl failback` shows them) and, with the admin token, `POST /v1/failback` with `{"region",
/// "author"}` (`ctl failback --now`: the region's ramps end, it has all its clients back).
enum FailbackRoutes {
    static let path = "/v1/failback"

    /// Adds the endpoints for `director` to `router`.
    static func add(to router: Router<APIRequestContext>, director: Director, adminToken: AdminToken?) {
        router.get(.init(path)) { _, _ in
            try DirectorAPI.json(director.currentSnapshot().ramps.ramps.map(FailbackDocument.Ramp.init))
        }
        router.post(.init(path)) { request, _ in
            if let refusal = try DirectorAPI.adminRefusal(request, token: adminToken, director: director) { return refusal }
            guard let body = try? await request.body.collect(upTo: 4096),
                  let asked = try? JSONDecoder().decode(FailbackDocument.FinishRequest.self, from: Data(buffer: body)) else {
                return try DirectorAPI.problem(.badRequest, "the body must be {\"region\", \"author\"}")
            }
            guard let region = RegionName(asked.region), director.configuration.region(region) != nil else {
                let known = director.configuration.regions.map(\.name.rawValue).joined(separator: ", ")
                return try DirectorAPI.problem(.notFound, "no region '\(asked.region)' (regions: \(known))")
            }
            let author = asked.author.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
            if let problem = OverrideRules.problem(reason: "", author: author) { return try DirectorAPI.problem(.badRequest, problem) }
            let ended = director.finishFailback(region, by: author)
            return try DirectorAPI.json(FailbackDocument.Finished(region: region.rawValue, ended: ended.map(\.rawValue)))
        }
    }
}
