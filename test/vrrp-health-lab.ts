/**
 * Shared pieces of the section C namespace tests: the guide's check_nginx.sh
 * verbatim, its keepalived.conf, a web server on port 80 inside a node's
 * namespace, and the onair node runner with health tracking and notify.
 */
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { type Proc, projectRoot, startProcess, waitFor } from "./helpers/env.js";

export const VIP = "198.18.0.100";

/** The guide's /usr/local/bin/check_nginx.sh, verbatim. */
export const CHECK_NGINX_SH = `#!/bin/bash
# Script de health check pour Nginx
# Retourne 0 si Nginx répond correctement, sinon code d'erreur

# Tester si Nginx répond sur le port 80
curl -sS http://127.0.0.1/ > /dev/null

# $? contient le code de retour de curl
# 0 = succès, autre = échec
if [ $? -eq 0 ]; then
    exit 0  # Nginx fonctionne
else
    exit 1  # Nginx ne répond pas
fi
`;

/** The guide's section C keepalived.conf with the lab's interface, VIP and script path. */
export function guideCheckConfig(opts: {
  script: string;
  weight: number;
  priority: number;
  state: "MASTER" | "BACKUP";
  extra?: string;
  global?: string;
}): string {
  return `${opts.global ? `global_defs {\n${opts.global}\n}\n\n` : ""}# Définir le script de vérification
vrrp_script chk_nginx {
    script "${opts.script}"  # Chemin du script
    interval 2                                # Vérifier toutes les 2 secondes
    weight ${opts.weight}                                # Pénalité de priorité en cas d'échec
}

vrrp_instance VI_1 {
    state ${opts.state}
    interface eth0
    virtual_router_id 51
    priority ${opts.priority}
    advert_int 1

    authentication {
        auth_type PASS
        auth_pass mysecretpass
    }

    # Activer le suivi du script
    track_script {
        chk_nginx  # Référence au script défini plus haut
    }

    virtual_ipaddress {
        ${VIP}/24
    }
${opts.extra ?? ""}
}
`;
}

export function startHealthNode(t: TestContext, ns: string, conf: string): Proc {
  return startProcess(
    t,
    "ip",
    ["netns", "exec", ns, process.execPath, "--import", "tsx", "test/vrrp-health-node.ts", conf],
    { cwd: projectRoot },
  );
}

/** A web server on port 80 inside `ns` answering its name; returns the process (kill it to "stop nginx"). */
export async function startWeb(t: TestContext, ns: string, body: string): Promise<Proc> {
  const code = `require("http").createServer((q,r)=>r.end(${JSON.stringify(body)})).listen(80,"0.0.0.0",()=>console.log("up"))`;
  const p = startProcess(t, "ip", ["netns", "exec", ns, process.execPath, "-e", code]);
  await waitFor(() => p.stdout().includes("up"), 10_000, `web server in ${ns}`);
  return p;
}

export async function stopWeb(p: Proc): Promise<void> {
  p.kill("SIGKILL");
  await p.exited;
}

export function writeCheckScript(dir: string): string {
  const p = join(dir, "check_nginx.sh");
  writeFileSync(p, CHECK_NGINX_SH);
  chmodSync(p, 0o755);
  return p;
}
