/**
 * The route tree. A new page: add `src/routes/<name>.tsx` exporting a `createRoute` whose parent is
 * `appRoute` (signed-in pages) and list it below, then add it to the navigation in
 * `components/layout/nav.ts`.
 */
import { rootRoute } from "./routes/__root";
import { appRoute } from "./routes/_app";
import { adminRoute } from "./routes/admin";
import { assetsRoute } from "./routes/assets";
import { auditRoute } from "./routes/audit";
import { findingRoute } from "./routes/findings.$findingId";
import { findingsRoute } from "./routes/findings.index";
import { importsRoute } from "./routes/imports";
import { indexRoute } from "./routes/index";
import { resourceRoute } from "./routes/inventory.$resourceId";
import { inventoryRoute } from "./routes/inventory.index";
import { loginRoute } from "./routes/login";
import { myFindingsRoute } from "./routes/my";
import { passwordRoute } from "./routes/password";
import { postureRoute } from "./routes/posture";
import { rulesRoute } from "./routes/rules";
import { webhooksRoute } from "./routes/webhooks";

export const routeTree = rootRoute.addChildren([
  loginRoute,
  passwordRoute,
  appRoute.addChildren([
    indexRoute,
    findingsRoute,
    findingRoute,
    myFindingsRoute,
    postureRoute,
    assetsRoute,
    inventoryRoute,
    resourceRoute,
    importsRoute,
    rulesRoute,
    auditRoute,
    webhooksRoute,
    adminRoute,
  ]),
]);
