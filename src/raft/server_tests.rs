//! Stories about one server (and a few hand-wired ones), input by input.

use super::*;
use crate::raft::{ChangeRefusal, MembershipNote};

fn s(id: u8) -> ServerId {
    ServerId(id)
}

fn server(id: u8, n: u8) -> Server {
    Server::new(
        s(id),
        (1..=n).map(ServerId).collect(),
        RaftOptions::default(),
    )
}

fn with_options(id: u8, n: u8, options: RaftOptions) -> Server {
    Server::new(s(id), (1..=n).map(ServerId).collect(), options)
}

fn entry(term: u64, n: u64) -> LogEntry {
    LogEntry {
        term: Term(term),
        payload: EntryPayload::Client {
            client: ClientId(1),
            seq: n,
            command: Command::Set {
                key: "x".into(),
                value: n.to_string(),
            },
        },
    }
}

fn with_log(mut server: Server, term: u64, terms: &[u64]) -> Server {
    let log = Log::from_entries(
        terms
            .iter()
            .enumerate()
            .map(|(i, &t)| entry(t, i as u64 + 1))
            .collect(),
    );
    server.set_persistent_state(PersistentState {
        current_term: Term(term),
        voted_for: None,
        log,
        snapshot: None,
    });
    server
}

fn terms_of(server: &Server) -> Vec<u64> {
    server.log_entries().iter().map(|e| e.term.0).collect()
}

fn request_vote(term: u64, candidate: u8, last_index: u64, last_term: u64) -> Input {
    Input::Receive {
        from: s(candidate),
        message: Message::RequestVote(RequestVote {
            term: Term(term),
            candidate_id: s(candidate),
            last_log_index: LogIndex(last_index),
            last_log_term: Term(last_term),
            leadership_transfer: false,
        }),
    }
}

fn vote_reply(out: &Output) -> bool {
    match &out.messages[..] {
        [(_, Message::RequestVoteReply(r))] => r.vote_granted,
        other => panic!("expected one vote reply, got {other:?}"),
    }
}

fn append(term: u64, leader: u8, prev: (u64, u64), entries: Vec<LogEntry>, commit: u64) -> Input {
    Input::Receive {
        from: s(leader),
        message: Message::AppendEntries(AppendEntries {
            term: Term(term),
            leader_id: s(leader),
            prev_log_index: LogIndex(prev.0),
            prev_log_term: Term(prev.1),
            entries,
            leader_commit: LogIndex(commit),
            read_round: 0,
        }),
    }
}

fn append_reply(out: &Output) -> AppendEntriesReply {
    match &out.messages[..] {
        [(_, Message::AppendEntriesReply(r))] => r.clone(),
        other => panic!("expected one append reply, got {other:?}"),
    }
}

fn granted(term: u64, from: u8) -> Input {
    Input::Receive {
        from: s(from),
        message: Message::RequestVoteReply(RequestVoteReply {
            term: Term(term),
            vote_granted: true,
        }),
    }
}

/// Makes `server` leader of the next term with votes from `voters`.
fn elect(server: &mut Server, voters: &[u8]) -> Output {
    server.handle(Input::ElectionTimeout);
    let term = server.current_term().0;
    let mut last = Output::default();
    for &v in voters {
        last = server.handle(granted(term, v));
    }
    assert_eq!(server.role(), Role::Leader);
    last
}

fn ack(term: u64, from: u8, match_index: u64) -> Input {
    Input::Receive {
        from: s(from),
        message: Message::AppendEntriesReply(AppendEntriesReply {
            term: Term(term),
            success: true,
            match_index: LogIndex(match_index),
            conflict_index: None,
            conflict_term: None,
            read_round: 0,
        }),
    }
}

fn set(key: &str, value: &str) -> Command {
    Command::Set {
        key: key.into(),
        value: value.into(),
    }
}

// ---- elections ----

#[test]
fn election_timeout_makes_a_candidate_that_asks_everyone_for_votes() {
    let mut s1 = server(1, 5);
    let out = s1.handle(Input::ElectionTimeout);
    assert_eq!(s1.role(), Role::Candidate);
    assert_eq!(s1.current_term(), Term(1));
    assert_eq!(s1.voted_for(), Some(s(1)));
    assert!(out.reset_election_timer);
    let targets: Vec<_> = out.messages.iter().map(|(to, _)| to.0).collect();
    assert_eq!(targets, vec![2, 3, 4, 5]);
}

#[test]
fn candidate_with_majority_becomes_leader_and_sends_heartbeats() {
    let mut s1 = server(1, 5);
    s1.handle(Input::ElectionTimeout);
    s1.handle(granted(1, 2));
    assert_eq!(s1.role(), Role::Candidate, "2 of 5 is not a majority");
    let out = s1.handle(granted(1, 3));
    assert_eq!(s1.role(), Role::Leader);
    assert!(out.stop_election_timer && out.arm_heartbeat);
    assert_eq!(out.messages.len(), 4);
    assert!(out.notes.iter().any(|n| n
        .explain(s(1))
        .contains("S1 became leader for term 1 with votes from S1, S2, S3")));
}

#[test]
fn a_server_votes_at_most_once_per_term() {
    let mut s3 = server(3, 5);
    assert!(vote_reply(&s3.handle(request_vote(4, 1, 0, 0))));
    assert!(
        vote_reply(&s3.handle(request_vote(4, 1, 0, 0))),
        "a repeated request gets the same vote"
    );
    let out = s3.handle(request_vote(4, 2, 0, 0));
    assert!(!vote_reply(&out));
    assert!(out.notes[0].explain(s(3)).contains("already voted for S1"));
    assert!(
        vote_reply(&s3.handle(request_vote(5, 2, 0, 0))),
        "a new term frees the vote"
    );
}

#[test]
fn vote_refused_to_candidate_whose_log_is_less_up_to_date() {
    // §5.4.1: S3's log ends in term 3; a candidate whose log ends in term 2 cannot win its vote,
    // however long its log is.
    let mut s3 = with_log(server(3, 5), 3, &[1, 3]);
    let out = s3.handle(request_vote(4, 1, 9, 2));
    assert!(!vote_reply(&out));
    assert_eq!(s3.current_term(), Term(4), "it still adopts the newer term");
    assert_eq!(s3.voted_for(), None);
    assert!(out.notes.iter().any(|n| n.section() == "§5.4.1"));
    // Same last term but shorter: refused; equal: granted.
    assert!(!vote_reply(&s3.handle(request_vote(5, 1, 1, 3))));
    let out = s3.handle(request_vote(6, 1, 2, 3));
    assert!(vote_reply(&out));
    assert!(out.notes.iter().any(|n| n
        .explain(s(3))
        .contains("S3 granted its vote to S1 for term 6")));
}

#[test]
fn knob_skip_election_restriction_grants_votes_to_stale_logs() {
    let mut options = RaftOptions::default();
    options.knobs.skip_election_restriction = true;
    let mut s3 = with_log(with_options(3, 5, options), 3, &[1, 3]);
    assert!(vote_reply(&s3.handle(request_vote(4, 1, 1, 1))));
}

#[test]
fn request_from_an_older_term_is_refused() {
    let mut s3 = with_log(server(3, 5), 5, &[]);
    let out = s3.handle(request_vote(4, 1, 0, 0));
    assert!(!vote_reply(&out));
    match &out.messages[0].1 {
        Message::RequestVoteReply(r) => assert_eq!(
            r.term,
            Term(5),
            "the reply tells the candidate the newer term"
        ),
        _ => unreachable!(),
    }
}

#[test]
fn candidate_yields_to_a_leader_of_its_own_term() {
    let mut s2 = server(2, 3);
    s2.handle(Input::ElectionTimeout);
    let out = s2.handle(append(1, 1, (0, 0), vec![], 0));
    assert_eq!(s2.role(), Role::Follower);
    assert_eq!(s2.leader_hint(), Some(s(1)));
    assert!(append_reply(&out).success);
}

#[test]
fn leader_steps_down_when_a_reply_carries_a_higher_term() {
    let mut s1 = server(1, 3);
    elect(&mut s1, &[2]);
    let out = s1.handle(Input::Receive {
        from: s(3),
        message: Message::AppendEntriesReply(AppendEntriesReply {
            term: Term(7),
            success: false,
            match_index: LogIndex(0),
            conflict_index: None,
            conflict_term: None,
            read_round: 0,
        }),
    });
    assert_eq!(s1.role(), Role::Follower);
    assert_eq!(s1.current_term(), Term(7));
    assert!(
        out.reset_election_timer,
        "a deposed leader needs an election timer again"
    );
}

#[test]
fn stale_vote_reply_from_an_earlier_term_is_ignored() {
    let mut s1 = server(1, 5);
    s1.handle(Input::ElectionTimeout); // term 1
    s1.handle(Input::ElectionTimeout); // term 2
    s1.handle(granted(1, 2));
    s1.handle(granted(1, 3));
    assert_eq!(
        s1.role(),
        Role::Candidate,
        "votes for term 1 do not count in term 2"
    );
    s1.handle(granted(2, 2));
    s1.handle(granted(2, 2));
    assert_eq!(s1.role(), Role::Candidate, "a duplicated vote counts once");
    s1.handle(granted(2, 3));
    assert_eq!(s1.role(), Role::Leader);
}

// ---- AppendEntries: consistency check, truncation ----

#[test]
fn append_rejected_when_follower_has_no_entry_at_prev_log_index() {
    let mut s2 = with_log(server(2, 3), 3, &[1, 1]);
    let out = s2.handle(append(3, 1, (7, 3), vec![entry(3, 8)], 0));
    let reply = append_reply(&out);
    assert!(!reply.success);
    assert_eq!(
        reply.conflict_index,
        Some(LogIndex(3)),
        "fast back-up: my log ends at 2"
    );
    assert_eq!(reply.conflict_term, None);
    assert!(out.notes[0]
        .explain(s(2))
        .contains("S2 rejected AppendEntries from S1: no entry at index 7 with term 3"));
}

#[test]
fn append_rejected_on_term_mismatch_reports_first_index_of_conflicting_term() {
    let mut s2 = with_log(server(2, 3), 3, &[1, 2, 2, 2]);
    let reply = append_reply(&s2.handle(append(3, 1, (4, 3), vec![], 0)));
    assert!(!reply.success);
    assert_eq!(reply.conflict_term, Some(Term(2)));
    assert_eq!(reply.conflict_index, Some(LogIndex(2)));
}

#[test]
fn conflicting_entries_are_truncated_and_replaced() {
    let mut s2 = with_log(server(2, 3), 3, &[1, 2, 2]);
    let out = s2.handle(append(3, 1, (1, 1), vec![entry(3, 2)], 0));
    assert!(append_reply(&out).success);
    assert_eq!(terms_of(&s2), vec![1, 3]);
}

#[test]
fn stale_or_duplicated_append_never_truncates_matching_entries() {
    let mut s2 = with_log(server(2, 3), 1, &[]);
    s2.handle(append(
        1,
        1,
        (0, 0),
        vec![entry(1, 1), entry(1, 2), entry(1, 3)],
        0,
    ));
    // An older AppendEntries carrying only the first entry arrives late.
    let reply = append_reply(&s2.handle(append(1, 1, (0, 0), vec![entry(1, 1)], 0)));
    assert!(reply.success);
    assert_eq!(reply.match_index, LogIndex(1));
    assert_eq!(terms_of(&s2), vec![1, 1, 1], "entries 2 and 3 survive");
}

#[test]
fn follower_commits_up_to_leader_commit_but_not_past_what_it_verified() {
    let mut s2 = with_log(server(2, 3), 1, &[]);
    s2.handle(append(1, 1, (0, 0), vec![entry(1, 1), entry(1, 2)], 0));
    // Heartbeat saying commit 5 but only verifying up to index 1.
    s2.handle(append(1, 1, (1, 1), vec![], 5));
    assert_eq!(s2.commit_index(), LogIndex(1));
    assert_eq!(s2.last_applied(), LogIndex(1));
    assert_eq!(s2.kv().get("x").map(String::as_str), Some("1"));
}

#[test]
fn append_from_an_old_leader_is_rejected_with_the_newer_term() {
    let mut s2 = with_log(server(2, 3), 5, &[]);
    let reply = append_reply(&s2.handle(append(4, 1, (0, 0), vec![entry(4, 1)], 0)));
    assert!(!reply.success);
    assert_eq!(reply.term, Term(5));
    assert!(s2.log_entries().is_empty());
}

// ---- leader: back-off and commit ----

fn rejection(
    term: u64,
    from: u8,
    conflict_index: Option<u64>,
    conflict_term: Option<u64>,
) -> Input {
    Input::Receive {
        from: s(from),
        message: Message::AppendEntriesReply(AppendEntriesReply {
            term: Term(term),
            success: false,
            match_index: LogIndex(0),
            conflict_index: conflict_index.map(LogIndex),
            conflict_term: conflict_term.map(Term),
            read_round: 0,
        }),
    }
}

fn next_index_of(leader: &Server, follower: u8) -> u64 {
    leader
        .progress()
        .iter()
        .find(|p| p.follower == s(follower))
        .unwrap()
        .next_index
        .0
}

#[test]
fn without_fast_backup_next_index_steps_back_one_entry_at_a_time() {
    let options = RaftOptions {
        fast_backup: false,
        ..RaftOptions::default()
    };
    let mut s1 = with_log(with_options(1, 3, options), 3, &[1, 1, 2, 3]);
    elect(&mut s1, &[2]);
    assert_eq!(next_index_of(&s1, 3), 5);
    let out = s1.handle(rejection(4, 3, None, None));
    assert_eq!(next_index_of(&s1, 3), 4);
    match &out.messages[..] {
        [(to, Message::AppendEntries(a))] => {
            assert_eq!(*to, s(3));
            assert_eq!(a.prev_log_index, LogIndex(3));
            assert_eq!(a.entries.len(), 1);
        }
        other => panic!("expected a retry, got {other:?}"),
    }
}

#[test]
fn fast_backup_skips_a_whole_conflicting_term() {
    let mut s1 = with_log(server(1, 3), 5, &[1, 4, 4, 5, 5]);
    elect(&mut s1, &[2]);
    // Follower has term 2 entries from index 2 on, which the leader lacks: jump to index 2.
    s1.handle(rejection(6, 3, Some(2), Some(2)));
    assert_eq!(next_index_of(&s1, 3), 2);
    // Follower's conflicting term is one the leader has: jump past the leader's last entry of it.
    let mut s1 = with_log(server(1, 3), 5, &[1, 4, 4, 5, 5]);
    elect(&mut s1, &[2]);
    s1.handle(rejection(6, 3, Some(2), Some(4)));
    assert_eq!(next_index_of(&s1, 3), 4);
    // Follower's log is short.
    s1.handle(rejection(6, 3, Some(2), None));
    assert_eq!(next_index_of(&s1, 3), 2);
}

#[test]
fn leader_commits_current_term_entry_once_on_a_majority_and_applies_it() {
    let mut s1 = server(1, 5);
    elect(&mut s1, &[2, 3]);
    let out = s1.handle(Input::ClientRequest {
        client: ClientId(9),
        seq: 1,
        command: set("x", "1"),
    });
    assert_eq!(out.messages.len(), 4, "the leader replicates at once");
    s1.handle(ack(1, 2, 1));
    assert_eq!(s1.commit_index(), LogIndex(0), "2 of 5 is not a majority");
    let out = s1.handle(ack(1, 3, 1));
    assert_eq!(s1.commit_index(), LogIndex(1));
    assert_eq!(
        out.client_replies,
        vec![ClientReply {
            client: ClientId(9),
            seq: 1,
            result: ClientResult::Ok(None),
            index: Some(LogIndex(1)),
        }]
    );
    assert!(out
        .notes
        .iter()
        .any(|n| n.explain(s(1)) == "S1 committed index 1 (replicated on S1, S2, S3) (§5.4.2)"));
    let duplicate = s1.handle(ack(1, 3, 1));
    assert!(
        duplicate.client_replies.is_empty(),
        "a duplicated ack changes nothing"
    );
}

#[test]
fn figure8_entry_from_old_term_not_committed_by_counting() {
    // Figure 8 (c): S1 leads term 4 and has the term-2 entry at index 2 on a majority, but no
    // entry of term 4 yet. It must not commit index 2 by counting (§5.4.2).
    let mut s1 = with_log(server(1, 5), 3, &[1, 2]);
    elect(&mut s1, &[2, 3]);
    assert_eq!(s1.current_term(), Term(4));
    s1.handle(ack(4, 2, 2));
    let out = s1.handle(ack(4, 3, 2));
    assert_eq!(s1.commit_index(), LogIndex(0));
    assert!(out
        .notes
        .iter()
        .any(|n| matches!(n, Note::CommitWaitsForCurrentTerm { .. })));
    // Once an entry of term 4 is on a majority, both commit (Log Matching).
    s1.handle(Input::ClientRequest {
        client: ClientId(1),
        seq: 10,
        command: set("y", "4"),
    });
    s1.handle(ack(4, 2, 3));
    s1.handle(ack(4, 3, 3));
    assert_eq!(s1.commit_index(), LogIndex(3));
}

#[test]
fn knob_commit_old_term_by_counting_commits_the_figure8_entry() {
    let mut options = RaftOptions::default();
    options.knobs.commit_old_term_by_counting = true;
    let mut s1 = with_log(with_options(1, 5, options), 3, &[1, 2]);
    elect(&mut s1, &[2, 3]);
    s1.handle(ack(4, 2, 2));
    s1.handle(ack(4, 3, 2));
    assert_eq!(s1.commit_index(), LogIndex(2));
}

#[test]
fn noop_on_election_commits_earlier_entries_quickly() {
    let options = RaftOptions {
        noop_on_election: true,
        ..RaftOptions::default()
    };
    let mut s1 = with_log(with_options(1, 3, options), 1, &[1]);
    elect(&mut s1, &[2]);
    assert_eq!(s1.last_log_index(), LogIndex(2));
    s1.handle(ack(2, 2, 2));
    assert_eq!(s1.commit_index(), LogIndex(2));
}

// ---- clients ----

#[test]
fn follower_redirects_client_to_the_leader_it_knows() {
    let mut s2 = server(2, 3);
    s2.handle(append(1, 1, (0, 0), vec![], 0));
    let out = s2.handle(Input::ClientRequest {
        client: ClientId(1),
        seq: 1,
        command: set("x", "1"),
    });
    assert_eq!(
        out.client_replies[0].result,
        ClientResult::NotLeader {
            leader_hint: Some(s(1))
        }
    );
    assert!(s2.log_entries().is_empty());
}

#[test]
fn retried_command_is_applied_once_and_answered_from_the_session_table() {
    let mut s1 = server(1, 3);
    elect(&mut s1, &[2]);
    let request = Input::ClientRequest {
        client: ClientId(1),
        seq: 1,
        command: set("x", "1"),
    };
    s1.handle(request.clone());
    let again = s1.handle(request.clone());
    assert!(again
        .notes
        .iter()
        .any(|n| matches!(n, Note::ClientAlreadyPending { .. })));
    assert_eq!(
        s1.last_log_index(),
        LogIndex(1),
        "not appended twice while pending"
    );
    s1.handle(ack(1, 2, 1));
    let retry = s1.handle(request);
    assert_eq!(retry.client_replies[0].result, ClientResult::Ok(None));
    assert_eq!(s1.last_log_index(), LogIndex(1));
}

#[test]
fn deposed_leader_tells_waiting_clients_to_retry() {
    let mut s1 = server(1, 3);
    elect(&mut s1, &[2]);
    s1.handle(Input::ClientRequest {
        client: ClientId(1),
        seq: 1,
        command: set("x", "1"),
    });
    let out = s1.handle(append(5, 3, (0, 0), vec![], 0));
    assert_eq!(
        out.client_replies[0].result,
        ClientResult::NotLeader {
            leader_hint: Some(s(3))
        }
    );
}

#[test]
fn knob_stale_local_reads_answers_get_without_the_log() {
    let mut options = RaftOptions::default();
    options.knobs.stale_local_reads = true;
    let mut s1 = with_options(1, 3, options);
    elect(&mut s1, &[2]);
    let out = s1.handle(Input::ClientRequest {
        client: ClientId(1),
        seq: 1,
        command: Command::Get { key: "x".into() },
    });
    assert_eq!(out.client_replies[0].result, ClientResult::Ok(None));
    assert_eq!(s1.last_log_index(), LogIndex(0));
}

#[test]
fn single_server_cluster_elects_itself_and_commits_alone() {
    let mut s1 = server(1, 1);
    s1.handle(Input::ElectionTimeout);
    assert_eq!(s1.role(), Role::Leader);
    let out = s1.handle(Input::ClientRequest {
        client: ClientId(1),
        seq: 1,
        command: set("x", "1"),
    });
    assert_eq!(s1.commit_index(), LogIndex(1));
    assert_eq!(out.client_replies.len(), 1);
}

// ---- crash and restart ----

#[test]
fn restart_keeps_term_vote_and_log_but_rebuilds_the_state_machine() {
    let mut s2 = with_log(server(2, 3), 1, &[]);
    s2.handle(append(1, 1, (0, 0), vec![entry(1, 1)], 1));
    s2.handle(request_vote(2, 3, 1, 1));
    assert_eq!(s2.kv().get("x").map(String::as_str), Some("1"));
    s2.crash();
    let out = s2.handle(Input::Restart);
    assert!(out.reset_election_timer);
    assert_eq!((s2.current_term(), s2.voted_for()), (Term(2), Some(s(3))));
    assert_eq!(s2.last_log_index(), LogIndex(1));
    assert_eq!(
        (s2.commit_index(), s2.last_applied()),
        (LogIndex(0), LogIndex(0))
    );
    assert!(s2.kv().data().is_empty());
    // The state machine is rebuilt by re-applying once the commit index is learned again.
    s2.handle(append(2, 3, (1, 1), vec![], 1));
    assert_eq!(s2.kv().get("x").map(String::as_str), Some("1"));
}

#[test]
fn knob_forget_vote_on_restart_loses_voted_for() {
    let mut options = RaftOptions::default();
    options.knobs.forget_vote_on_restart = true;
    let mut s2 = with_options(2, 3, options);
    s2.handle(request_vote(1, 1, 0, 0));
    s2.crash();
    s2.handle(Input::Restart);
    assert_eq!(s2.voted_for(), None);
    assert!(
        vote_reply(&s2.handle(request_vote(1, 3, 0, 0))),
        "votes twice in term 1"
    );
}

#[test]
fn an_ack_does_not_resend_entries_already_on_their_way() {
    let mut s1 = server(1, 3);
    elect(&mut s1, &[2]);
    let first = s1.handle(Input::ClientRequest {
        client: ClientId(1),
        seq: 1,
        command: set("x", "1"),
    });
    assert_eq!(first.messages.len(), 2, "replicated at once");
    let second = s1.handle(Input::ClientRequest {
        client: ClientId(2),
        seq: 1,
        command: set("y", "2"),
    });
    assert_eq!(
        second.messages.len(),
        2,
        "replicated at once, from nextIndex (entries 1 and 2)"
    );
    // S2 acknowledges entry 1: entry 2 is already on its way to S2, nothing is resent.
    let out = s1.handle(ack(1, 2, 1));
    assert!(out.messages.is_empty(), "{:?}", out.messages);
    // A new entry that was never sent is sent on the next acknowledgement.
    s1.handle(Input::HeartbeatTick);
    s1.persistent_mut().log.append(entry(1, 3));
    let out = s1.handle(ack(1, 2, 2));
    match &out.messages[..] {
        [(to, Message::AppendEntries(a))] => {
            assert_eq!(
                (*to, a.prev_log_index, a.entries.len()),
                (s(2), LogIndex(2), 1)
            );
        }
        other => panic!("expected entry 3 for S2, got {other:?}"),
    }
}

/// §6 through the pure server's own API: a leader asked to add an id no configuration can hold
/// refuses with a reason, as it refuses other impossible changes, instead of panicking.
#[test]
fn a_leader_refuses_to_add_a_server_id_out_of_range() {
    let mut leader = server(1, 1);
    leader.handle(Input::ElectionTimeout);
    assert_eq!(leader.role(), Role::Leader);
    for id in [0, 16] {
        assert_eq!(
            leader.membership_refusal(Change::Add(s(id))),
            Some(ChangeRefusal::IdOutOfRange)
        );
        let out = leader.handle(Input::AddServer { id: s(id) });
        assert!(out.notes.iter().any(|n| matches!(
            n,
            Note::Membership(MembershipNote::Refused {
                reason: ChangeRefusal::IdOutOfRange,
                ..
            })
        )));
    }
    assert_eq!(leader.configuration().members().len(), 1);
}
