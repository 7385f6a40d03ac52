#!/usr/bin/env bash
# slurm.sh - a one-node SLURM cluster (Debian's slurmctld, slurmd and munge)
# for the sweep test of .ci/run, without systemd.
#
#   slurm.sh available   exit 0 if this machine can run it (root, apt-get),
#                        else print why on stdout and exit 1
#   slurm.sh install     apt-get the packages (slurmctld slurmd slurm-client munge)
#   slurm.sh start       munged, slurmctld, slurmd; wait until the node is idle
#   slurm.sh stop        cancel our jobs, shut the daemons down
#
# All runtime state lives under $SLURM_CI_DIR (default /tmp/binarynet-slurm),
# which start wipes; slurm.conf goes to $SLURM_CONF (default
# /etc/slurm/slurm.conf, read by every SLURM client). The node and the
# controller are both "localhost" at 127.0.0.1, so the host name does not
# matter; munged runs as the munge user on a private socket and key; no
# cgroups (proctrack/linuxproc, task/none) and no accounting daemon (job
# states come from scontrol while slurmctld keeps them, MinJobAge 300 s).
set -euo pipefail

BASE="${SLURM_CI_DIR:-/tmp/binarynet-slurm}"
CONF="${SLURM_CONF:-/etc/slurm/slurm.conf}"
export SLURM_CONF="$CONF"
CTLD_PORT="${SLURM_CI_CTLD_PORT:-6817}"
SLURMD_PORT="${SLURM_CI_SLURMD_PORT:-6818}"
MDIR="$BASE/munge"
MSOCK="$MDIR/munge.socket.2"
NODE=localhost

log() { echo "[slurm.sh $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

available() {
    if [ "$(id -u)" -ne 0 ]; then echo "not running as root (the SLURM daemons need it)"; return 1; fi
    if ! command -v apt-get >/dev/null; then echo "no apt-get to install SLURM with"; return 1; fi
    return 0
}

do_install() {
    available >/dev/null || die "$(available)"
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then
        log "SLURM and munge already installed"
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # Without systemd the packages' postinst cannot start the services;
    # that is expected, start below does it.
    apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge
}

write_conf() {
    local hw mem
    # The node line as slurmd detects the hardware (a mismatch drains the
    # node), renamed to localhost, with 90 % of the detected memory.
    hw=$(slurmd -C 2>/dev/null | head -n1)
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
    [ -n "$mem" ] || die "cannot parse 'slurmd -C': $hw"
    hw=$(sed -e 's/^NodeName=[^ ]* *//' -e 's/ *RealMemory=[0-9]*//' <<<"$hw")
    mkdir -p "$(dirname "$CONF")"
    cat > "$CONF" <<CONF
# Written by binarynet's .ci/slurm.sh: a one-node cluster for CI.
ClusterName=ci
SlurmctldHost=$NODE
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MSOCK
StateSaveLocation=$BASE/state
SlurmdSpoolDir=$BASE/spool
SlurmctldPidFile=$BASE/slurmctld.pid
SlurmdPidFile=$BASE/slurmd.pid
SlurmctldLogFile=$BASE/log/slurmctld.log
SlurmdLogFile=$BASE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
# a job whose afterok dependency failed is cancelled, not left pending
DependencyParameters=kill_invalid_depend
# requests this node can never satisfy fail at sbatch time
EnforcePartLimits=ALL
ReturnToService=2
MailProg=$(type -P true)
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$NODE NodeAddr=127.0.0.1 $hw RealMemory=$((mem * 90 / 100)) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

# wait_for CONDITION DAEMON...: poll CONDITION for up to 60 s; fail at once
# when one of the daemons died.
wait_for() {
    local cond=$1 d; shift
    for _ in $(seq 1 120); do
        eval "$cond" 2>/dev/null && return 0
        for d in "$@"; do alive "$BASE/$d.ci.pid" || die "$d exited (logs in $BASE/log)"; done
        sleep 0.5
    done
    die "timed out waiting for: $cond"
}

do_start() {
    available >/dev/null || die "$(available)"
    local t0=$SECONDS c p
    for c in munged mungekey slurmctld slurmd sinfo sbatch setpriv setsid; do
        command -v "$c" >/dev/null || die "$c not found: run '$0 install' first"
    done
    for p in munged slurmctld slurmd; do
        alive "$BASE/$p.ci.pid" && die "$p is already running (run '$0 stop')"
    done
    for p in "$CTLD_PORT" "$SLURMD_PORT"; do
        port_busy "$p" && die "port $p on 127.0.0.1 is in use"
    done
    trap 'log "start failed, cleaning up"; tail -n 15 "$BASE"/log/*.log >&2 || true; do_stop' EXIT

    rm -rf "$BASE/state" "$BASE/spool" "$BASE/log" "$MDIR" "$BASE"/*.pid
    mkdir -p "$BASE/state" "$BASE/spool" "$BASE/log"
    chmod 0755 "$BASE" # munged wants every directory above its socket searchable
    install -d -o munge -g munge -m 0755 "$MDIR"
    mungekey --create --keyfile="$MDIR/munge.key"
    chown munge:munge "$MDIR/munge.key"
    chmod 0400 "$MDIR/munge.key"
    setpriv --reuid=munge --regid=munge --init-groups \
        munged --socket="$MSOCK" --key-file="$MDIR/munge.key" \
               --pid-file="$MDIR/munged.pid" --log-file="$MDIR/munged.log" \
               --seed-file="$MDIR/munged.seed"
    cp "$MDIR/munged.pid" "$BASE/munged.ci.pid"
    munge -n -S "$MSOCK" | unmunge -S "$MSOCK" >/dev/null

    write_conf
    # In the foreground (-D) in their own session: $! is the daemon's pid
    # and it outlives this shell.
    setsid slurmctld -D </dev/null >"$BASE/log/slurmctld.out" 2>&1 &
    echo $! > "$BASE/slurmctld.ci.pid"
    wait_for "scontrol ping | grep -q UP" slurmctld
    setsid slurmd -D -N "$NODE" </dev/null >"$BASE/log/slurmd.out" 2>&1 &
    echo $! > "$BASE/slurmd.ci.pid"
    wait_for '[ "$(sinfo -h -n "$NODE" -o %T)" = idle ]' slurmctld slurmd
    trap - EXIT
    log "SLURM up in $((SECONDS - t0)) s"
    sinfo
}

do_stop() {
    local d pid ids i
    if alive "$BASE/slurmctld.ci.pid"; then
        # Running jobs survive a shutdown: cancel them first (the cluster is ours).
        ids=$(squeue -h -o %A 2>/dev/null | sort -u | paste -sd' ' -) || true
        if [ -n "$ids" ]; then
            log "cancelling jobs $ids"
            scancel $ids || true
            for _ in $(seq 1 60); do squeue -h 2>/dev/null | grep -q . || break; sleep 0.5; done
        fi
        scontrol shutdown >/dev/null 2>&1 || true
    fi
    if [ -S "$MSOCK" ] && alive "$BASE/munged.ci.pid"; then
        munged -s --socket="$MSOCK" >/dev/null 2>&1 || true
    fi
    for d in slurmctld slurmd munged; do
        [ -s "$BASE/$d.ci.pid" ] || continue
        pid=$(cat "$BASE/$d.ci.pid")
        for i in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            [ "$i" -eq 30 ] && kill -TERM "$pid" 2>/dev/null
            sleep 0.5
        done
        if kill -0 "$pid" 2>/dev/null; then log "killing $d ($pid)"; kill -KILL "$pid" 2>/dev/null || true; fi
        rm -f "$BASE/$d.ci.pid"
    done
    log "stopped"
}

case "${1:-}" in
    available) available ;;
    install) do_install ;;
    start) do_start ;;
    stop) do_stop ;;
    *) echo "usage: $0 available|install|start|stop" >&2; exit 2 ;;
esac
