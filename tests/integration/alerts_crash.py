#!/usr/bin/env python3
"""Helper of alerts_crash.sh, the crash test of the newsletter sender.

  alerts_crash.py serve PORTFILE LOG [early|late]
      An SMTP sink (aiosmtpd) on 127.0.0.1, any free port, written to
      PORTFILE once listening.  Every message it accepts is appended to LOG
      as one line "Message-ID<TAB>recipient<TAB>unix time", flushed and
      fsync'ed before the reply.  The sink accepts a message the moment the
      whole DATA has arrived (a line in LOG), then takes 20-80 ms (random)
      before it answers 250, like a busy MTA: a sender killed in that gap
      has had its message accepted without knowing it, the window where a
      resend is a duplicate.  The pause also lets kill -9 land mid-batch.
      "late": the pause comes before the acceptance instead (a message
      whose sender goes away during it is dropped), and the window of a
      duplicate is only the time between the log line and the sender's
      commit.  Runs until killed.

  alerts_crash.py queued DB
      Prints the Message-IDs of the digests in DB's outbox (subscriptions.db),
      one a line.

  alerts_crash.py pending DB
      Prints the number of outbox messages in state queued or sending.

  alerts_crash.py check DB QUEUED LOG KILLS
      The verdict of one trial: QUEUED lists the digests' Message-IDs
      before the first send, LOG is the sink's record, KILLS the number of
      kills that landed.  Prints one line "Q RAW DEDUP VERDICT": the digests
      queued, the messages received more than once (raw), the digests
      still received twice after dropping repeated Message-IDs (a copy
      under a Message-ID that was never queued), and "ok" or the reasons
      of the failure; exit status 0 when ok.  Fails on a lost digest, a
      message that was not queued, a wrong recipient, a digest left unsent
      or queued again, and on more raw duplicates than kills.
"""
import asyncio
import os
import random
import sqlite3
import sys
import time
from email.parser import BytesHeaderParser


def serve(portfile, logpath, mode):
    from aiosmtpd.smtp import SMTP

    late = mode == "late"

    fd = os.open(logpath, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            pause = random.uniform(0.020, 0.080)
            if late:
                # Cancelled here if the sender goes away: not accepted.
                await asyncio.sleep(pause)
            head = BytesHeaderParser().parsebytes(envelope.content or b"")
            mid = (head.get("Message-ID") or "-").strip()
            rcpts = envelope.rcpt_tos or ["-"]
            for r in rcpts:
                line = "%s\t%s\t%.6f\n" % (mid, r, time.time())
                os.write(fd, line.encode("utf-8", "replace"))
            os.fsync(fd)
            if not late:
                # The reply is late: a sender killed now never sees it.
                await asyncio.sleep(pause)
            return "250 OK: queued"

    # The server on the main loop (aiosmtpd's Controller cannot take port
    # 0: it connects to the port it was given to see the server up).
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Sink()
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0)
    )
    port = server.sockets[0].getsockname()[1]
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, portfile)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass


def db_open(path):
    # Read-only: the sender may still hold the database.
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)


def queued(db):
    c = db_open(db)
    for (mid,) in c.execute(
        "SELECT message_id FROM outbox WHERE kind = 'digest' ORDER BY id"
    ):
        print(mid)


def pending(db):
    c = db_open(db)
    (n,) = c.execute(
        "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')"
    ).fetchone()
    print(n)


def check(db, queued_path, logpath, kills):
    with open(queued_path) as f:
        want = [l.strip() for l in f if l.strip()]
    got = []
    if os.path.exists(logpath):
        with open(logpath, encoding="utf-8", errors="replace") as f:
            for l in f:
                p = l.rstrip("\n").split("\t")
                if len(p) >= 2:
                    got.append((p[0], p[1]))
    c = db_open(db)
    rows = {
        mid: (rcpt, state)
        for mid, rcpt, state in c.execute(
            "SELECT message_id, rcpt, state FROM outbox WHERE kind = 'digest'"
        )
    }
    mids = [m for m, _ in got]
    # Raw: every message received beyond the first of its Message-ID.
    raw_dups = len(mids) - len(set(mids))
    why = []
    lost = [m for m in want if m not in set(mids)]
    if lost:
        why.append("%d digests lost (e.g. %s)" % (len(lost), lost[0]))
    extra = sorted(set(mids) - set(want))
    # After deduplication by Message-ID: the digests that still came twice,
    # i.e. came again under a Message-ID that was not queued.
    mid_dups = len(extra)
    if extra:
        # A digest made again under a new Message-ID, or a stray message.
        why.append("%d messages not among the queued digests (e.g. %s)"
                   % (len(extra), extra[0]))
    wrong = [(m, r) for m, r in got if m in rows and rows[m][0] != r]
    if wrong:
        why.append("%d sent to the wrong address (e.g. %s to %s)"
                   % (len(wrong), wrong[0][0], wrong[0][1]))
    new = sorted(set(rows) - set(want))
    if new:
        why.append("%d digests queued again after the crash" % len(new))
    unsent = [m for m in want if m in rows and rows[m][1] != "sent"]
    if unsent:
        why.append("%d digests not in state sent (e.g. %s: %s)"
                   % (len(unsent), unsent[0], rows[unsent[0]][1]))
    if raw_dups > kills:
        why.append("%d raw duplicates for %d kills" % (raw_dups, kills))
    if not want:
        why.append("no digest was queued: the setup matched nothing")
    print("%d %d %d %s" % (len(want), raw_dups, mid_dups,
                           "; ".join(why) if why else "ok"))
    return 1 if why else 0


def main(argv):
    if len(argv) in (4, 5) and argv[1] == "serve":
        serve(argv[2], argv[3], argv[4] if len(argv) == 5 else "early")
        return 0
    if len(argv) == 3 and argv[1] == "queued":
        queued(argv[2])
        return 0
    if len(argv) == 3 and argv[1] == "pending":
        pending(argv[2])
        return 0
    if len(argv) == 6 and argv[1] == "check":
        return check(argv[2], argv[3], argv[4], int(argv[5]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
