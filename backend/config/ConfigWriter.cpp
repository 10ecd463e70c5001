// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigWriter.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace smoothwan {

namespace {

std::string s(const QString &text)
{
    return text.toStdString();
}

template<typename E> std::string e(E value)
{
    return configName(value).toStdString();
}

// Durations in plain milliseconds: the loader reads bare integers in the key's unit.
std::string ms(int value)
{
    return std::to_string(value) + "ms";
}

// Double-quoted so that values that look like numbers, booleans or YAML syntax stay strings.
void str(YAML::Emitter &out, const char *key, const QString &value)
{
    out << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << s(value);
}

void writeProbe(YAML::Emitter &out, const ProbeConfig &p)
{
    out << YAML::Key << "probe" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "method" << YAML::Value << e(p.method);
    out << YAML::Key << "targets" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const ProbeTarget &t : p.targets)
        out << YAML::DoubleQuoted << s(t.toString());
    out << YAML::EndSeq;
    str(out, "query", p.query);
    out << YAML::Key << "interval" << YAML::Value << ms(p.intervalMs);
    out << YAML::Key << "timeout" << YAML::Value << ms(p.timeoutMs);
    out << YAML::Key << "reliability" << YAML::Value << p.reliability;
    out << YAML::Key << "down" << YAML::Value << p.downRounds;
    out << YAML::Key << "up" << YAML::Value << p.upRounds;
    const ProbeThresholds &t = p.thresholds;
    out << YAML::Key << "thresholds" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "latency_fail" << YAML::Value << t.latencyFailMs;
    out << YAML::Key << "latency_recover" << YAML::Value << t.latencyRecoverMs;
    out << YAML::Key << "loss_fail" << YAML::Value << t.lossFailPercent;
    out << YAML::Key << "loss_recover" << YAML::Value << t.lossRecoverPercent;
    out << YAML::Key << "jitter_fail" << YAML::Value << t.jitterFailMs;
    out << YAML::Key << "jitter_recover" << YAML::Value << t.jitterRecoverMs;
    out << YAML::EndMap;
    out << YAML::EndMap;
}

void writeWan(YAML::Emitter &out, const WanConfig &w)
{
    out << YAML::BeginMap;
    str(out, "name", w.name);
    if (!w.interface.isEmpty()) {
        str(out, "interface", w.interface);
    } else {
        out << YAML::Key << "match" << YAML::Value << YAML::BeginMap;
        if (!w.match.mac.isEmpty())
            str(out, "mac", w.match.mac);
        if (!w.match.permanentMac.isEmpty())
            str(out, "permanent_mac", w.match.permanentMac);
        if (!w.match.devicePath.isEmpty())
            str(out, "device_path", w.match.devicePath);
        if (!w.match.driver.isEmpty())
            str(out, "driver", w.match.driver);
        if (!w.match.kind.isEmpty())
            str(out, "kind", w.match.kind);
        out << YAML::EndMap;
    }
    out << YAML::Key << "priority" << YAML::Value << e(w.priority);
    out << YAML::Key << "weight" << YAML::Value << w.weight;
    out << YAML::Key << "metered" << YAML::Value << w.metered;
    writeProbe(out, w.probe);
    out << YAML::Key << "caps" << YAML::Value << YAML::BeginMap;
    if (w.caps.dailyBytes)
        out << YAML::Key << "daily" << YAML::Value << *w.caps.dailyBytes;
    if (w.caps.monthlyBytes)
        out << YAML::Key << "monthly" << YAML::Value << *w.caps.monthlyBytes;
    out << YAML::Key << "reset_day" << YAML::Value << w.caps.resetDay;
    out << YAML::Key << "action" << YAML::Value << e(w.caps.action);
    out << YAML::EndMap;
    out << YAML::Key << "enabled" << YAML::Value << w.enabled;
    out << YAML::EndMap;
}

void writeBypass(YAML::Emitter &out, const BypassRule &r)
{
    out << YAML::BeginMap;
    str(out, "name", r.name);
    out << YAML::Key << "match" << YAML::Value << YAML::BeginMap;
    if (r.match.source)
        str(out, "source", r.match.source->toString());
    if (r.match.destination)
        str(out, "destination", r.match.destination->toString());
    out << YAML::Key << "protocol" << YAML::Value << e(r.match.protocol);
    if (r.match.ports) {
        const PortRange &p = *r.match.ports;
        const QString text =
            p.first == p.last ? QString::number(p.first) : QStringLiteral("%1-%2").arg(p.first).arg(p.last);
        str(out, "ports", text);
    }
    out << YAML::EndMap;
    if (r.aroundBond)
        out << YAML::Key << "around_bond" << YAML::Value << true;
    else
        str(out, "via", r.via);
    out << YAML::EndMap;
}

void writeHostPort(YAML::Emitter &out, const char *key, const HostPort &hp)
{
    if (!hp.isEmpty())
        str(out, key, hp.toString());
}

void writeEngine(YAML::Emitter &out, const EngineConfig &en)
{
    out << YAML::Key << "engine" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "type" << YAML::Value << e(en.type);
    out << YAML::Key << "speedify" << YAML::Value << YAML::BeginMap;
    str(out, "cli_path", en.speedify.cliPath);
    out << YAML::Key << "mode" << YAML::Value << e(en.speedify.mode);
    out << YAML::Key << "transport" << YAML::Value << e(en.speedify.transport);
    str(out, "connect", en.speedify.connect);
    out << YAML::Key << "startup_connect" << YAML::Value << en.speedify.startupConnect;
    out << YAML::EndMap;
    // The loader requires a server whenever a section is present; an unset section is left out.
    if (!en.engarde.server.isEmpty()) {
        out << YAML::Key << "engarde" << YAML::Value << YAML::BeginMap;
        writeHostPort(out, "server", en.engarde.server);
        writeHostPort(out, "listen", en.engarde.listen);
        out << YAML::Key << "excluded_interfaces" << YAML::Value << YAML::Flow << YAML::BeginSeq;
        for (const QString &i : en.engarde.excludedInterfaces)
            out << YAML::DoubleQuoted << s(i);
        out << YAML::EndSeq;
        writeHostPort(out, "web_manager", en.engarde.webManager);
        out << YAML::EndMap;
    }
    if (!en.tinyfec.server.isEmpty()) {
        const TinyFecConfig &t = en.tinyfec;
        out << YAML::Key << "tinyfec" << YAML::Value << YAML::BeginMap;
        writeHostPort(out, "server", t.server);
        str(out, "fec", t.fec);
        out << YAML::Key << "timeout" << YAML::Value << ms(t.timeoutMs);
        out << YAML::Key << "mode" << YAML::Value << t.mode;
        out << YAML::Key << "mtu" << YAML::Value << t.mtu;
        str(out, "tun_name", t.tunName);
        str(out, "subnet", t.subnet.toString());
        out << YAML::EndMap;
    }
    const SelfHostedConfig &sh = en.selfhosted;
    out << YAML::Key << "selfhosted" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "mode" << YAML::Value << e(sh.mode);
    out << YAML::Key << "tcp_aggregation" << YAML::Value << sh.tcpAggregation;
    str(out, "interface", sh.interface);
    out << YAML::Key << "mtu" << YAML::Value << sh.mtu;
    out << YAML::Key << "relay_port" << YAML::Value << sh.relayPort;
    out << YAML::Key << "tcp_port" << YAML::Value << sh.tcpPort;
    out << YAML::EndMap;
    out << YAML::EndMap;
}

} // namespace

QByteArray ConfigWriter::toYaml(const Config &c)
{
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "version" << YAML::Value << c.version;
    out << YAML::Key << "wans" << YAML::Value << YAML::BeginSeq;
    for (const WanConfig &w : c.wans)
        writeWan(out, w);
    out << YAML::EndSeq;

    out << YAML::Key << "routing" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "policy" << YAML::Value << e(c.routing.policy);
    out << YAML::Key << "kill_switch" << YAML::Value << c.routing.killSwitch;
    out << YAML::Key << "bypass" << YAML::Value << YAML::BeginSeq;
    for (const BypassRule &r : c.routing.bypass)
        writeBypass(out, r);
    out << YAML::EndSeq;
    out << YAML::EndMap;

    writeEngine(out, c.engine);

    out << YAML::Key << "api" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "listen" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const QHostAddress &a : c.api.listen)
        out << YAML::DoubleQuoted << s(a.toString());
    out << YAML::EndSeq;
    out << YAML::Key << "port" << YAML::Value << c.api.port;
    out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "enabled" << YAML::Value << c.api.tls.enabled;
    str(out, "cert", c.api.tls.certPath);
    str(out, "key", c.api.tls.keyPath);
    out << YAML::EndMap;
    out << YAML::EndMap;

    out << YAML::Key << "ui" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "kiosk" << YAML::Value << c.ui.kiosk;
    out << YAML::Key << "blank_after" << YAML::Value << (std::to_string(c.ui.blankAfterSeconds) + "s");
    out << YAML::Key << "theme" << YAML::Value << e(c.ui.theme);
    out << YAML::EndMap;
    out << YAML::EndMap;
    QByteArray yaml(out.c_str(), static_cast<qsizetype>(out.size()));
    yaml.append('\n');
    return yaml;
}

} // namespace smoothwan
