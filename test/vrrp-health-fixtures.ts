/**
 * Builders for typed keepalived configs in health/notify/mail tests, so unit
 * tests do not depend on the config parser. Defaults are keepalived's.
 */
import type {
  GlobalDefs,
  KeepalivedConfig,
  VrrpInstanceConfig,
  VrrpScriptConfig,
} from "../src/config/types.js";

export function makeGlobalDefs(over: Partial<GlobalDefs> = {}): GlobalDefs {
  return {
    routerId: "node1",
    notificationEmail: [],
    notificationEmailFrom: null,
    smtpServer: null,
    smtpConnectTimeout: 30000,
    vrrpVersion: 2,
    scriptUser: null,
    enableScriptSecurity: false,
    smtpAlert: false,
    pos: null,
    ...over,
  };
}

export function makeScript(name: string, over: Partial<VrrpScriptConfig> = {}): VrrpScriptConfig {
  return {
    name,
    script: "/bin/true",
    httpCheck: null,
    interval: 1000,
    timeout: 1000,
    weight: 0,
    rise: 1,
    fall: 1,
    user: null,
    pos: { file: "/etc/keepalived/keepalived.conf", line: 1 },
    ...over,
  };
}

export function makeInstance(name: string, over: Partial<VrrpInstanceConfig> = {}): VrrpInstanceConfig {
  return {
    name,
    state: "MASTER",
    interface: "eth0",
    virtualRouterId: 51,
    priority: 150,
    advertInt: 1000,
    version: 2,
    auth: { type: "PASS", pass: "mysecretpass" },
    virtualIpaddress: [{ address: "198.18.0.100", prefixLen: 24, dev: null }],
    trackScript: [],
    trackInterface: [],
    notifyMaster: null,
    notifyBackup: null,
    notifyFault: null,
    notifyStop: null,
    notify: null,
    smtpAlert: null,
    nopreempt: false,
    preemptDelay: 0,
    unicastSrcIp: null,
    unicastPeer: [],
    garpMasterDelay: 5000,
    garpMasterRepeat: 5,
    garpMasterRefresh: 0,
    garpMasterRefreshRepeat: 1,
    higherPrioSendAdvert: false,
    pos: { file: "/etc/keepalived/keepalived.conf", line: 10 },
    ...over,
  };
}

export function makeConfig(
  instances: VrrpInstanceConfig[],
  scripts: VrrpScriptConfig[] = [],
  globalDefs: Partial<GlobalDefs> = {},
): KeepalivedConfig {
  return {
    file: "/etc/keepalived/keepalived.conf",
    globalDefs: makeGlobalDefs(globalDefs),
    scripts: new Map(scripts.map((s) => [s.name, s])),
    instances,
    warnings: [],
  };
}
