#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noinput
%%
%% riak.escript: drive Riak's real bitcask (2.1.0, Debian's erlang-bitcask) from the command line,
%% so strata-bitcask's interop tests (../tests/interop.rs) can check that both implementations
%% read each other's directories. See README.md beside this file.
%%
%% Every key and value crosses the command line and the pipes hex-encoded (lowercase on output,
%% either case on input), and the empty byte string is written `-`, so any binary data is safe
%% and a line never has an empty field.
%%
%%   check                  open, write, read back and close a cask in a temporary directory;
%%                          prints the versions; exit 0 when bitcask works here
%%   dump DIR               print every live key and value, `HEXKEY HEXVALUE`, sorted by key bytes
%%   verify DIR             check every data file with bitcask's own parsers: a hint file with a
%%                          valid trailer whose records match the data entries one for one
%%                          (key, tstamp, offset, size, tombstone flag), no bytes after the last
%%                          entry, no lock files left behind
%%   scenario DIR NAME      write the named scenario into DIR with bitcask and close it cleanly
%%   scenarios              list the scenario names, one a line
%%   apply DIR OPSFILE      open DIR read-write and apply OPSFILE: lines `put HEXKEY HEXVALUE`,
%%                          `delete HEXKEY`, `merge` (every file but the active one) or
%%                          `merge ID ID ...` (only those data files: a partial merge unless
%%                          they are the oldest), `sleep MS` (hold the cask open), `crash`
%%                          (stop the VM at once: no close, so the write lock stays behind with
%%                          a dead pid and the active hint file has no trailer); blank lines and
%%                          `#` comments are skipped
%%
%% Strictness: bitcask quietly works around some damage and only logs it: an invalid hint file
%% ("Hintfile ... invalid") makes it scan the data file, a bad CRC makes it skip the entry. For
%% files that were closed cleanly any such warning is a finding, so every command fails when
%% bitcask logged a warning or error, listing what it logged. `--lenient` before the command
%% (e.g. `riak.escript --lenient dump DIR`) only prints them, and lets `dump` read a cask that
%% has a write lock (as bitcask's read-only open does, it then leaves out the file the lock
%% names), for looking at crashed or damaged casks.
%%
%% Exit status: 0 on success, 1 on a reported failure (message on stderr), 2 on a crash, 64 on
%% bad usage. Nothing but the requested data is ever written to stdout.
%%
%% Loading bitcask: Debian installs it as an ordinary OTP application under
%% /usr/lib/erlang/lib/bitcask-2.1.0, which is on the default code path, so no `-pa` is needed.
%% For a bitcask installed elsewhere, set BITCASK_EBIN to its ebin directory (its priv/ with the
%% NIF must sit beside it, as usual). The application is started before use: bitcask reads its
%% defaults from the application environment, and merge needs its `bitcask_merge_delete` server.

-mode(compile).

%% log/2 is the logger handler that collects bitcask's warnings (see strictness above).
-export([main/1, log/2]).

-include_lib("kernel/include/file.hrl").

%% Writes roll over at this size, so every scenario and every `apply` spreads over many files.
-define(SMALL_FILE, (64 * 1024)).

main(Args0) ->
    try
        {Strict, Args} = case Args0 of
                             ["--lenient" | Rest] -> {false, Rest};
                             _ -> {true, Args0}
                         end,
        put(strict, Strict),
        ok = collect_warnings(),
        ok = load_bitcask(),
        run(Args),
        ok = check_warnings(Strict)
    catch
        throw:{usage, Msg} ->
            err("riak.escript: ~s~n~s", [Msg, usage()]),
            halt(64);
        Class:Reason:Stack ->
            err("riak.escript: crashed: ~p:~p~n~p~n", [Class, Reason, Stack]),
            halt(2)
    end.

usage() ->
    "usage: riak.escript [--lenient] check\n"
    "       riak.escript [--lenient] dump DIR\n"
    "       riak.escript [--lenient] verify DIR\n"
    "       riak.escript [--lenient] scenario DIR NAME   (NAME: see `riak.escript scenarios`)\n"
    "       riak.escript scenarios\n"
    "       riak.escript [--lenient] apply DIR OPSFILE\n".

run(["check"]) -> check();
run(["dump", Dir]) -> dump(Dir, get(strict));
run(["verify", Dir]) -> verify(Dir);
run(["scenario", Dir, Name]) -> scenario(Dir, Name);
run(["scenarios"]) -> [out("~s~n", [N]) || N <- scenario_names()], ok;
run(["apply", Dir, OpsFile]) -> apply_ops(Dir, OpsFile);
run(["help"]) -> out("~s", [usage()]);
run(Args) -> throw({usage, io_lib:format("bad arguments: ~p", [Args])}).

%% ---------------------------------------------------------------------------------------------
%% bitcask's warnings
%%
%% bitcask reports through error_logger, which logger receives. A handler keeps every warning or
%% worse in a public ETS table owned by this (the main) process, which lives until the end.

-define(LOG_TABLE, riak_escript_warnings).

collect_warnings() ->
    %% The default handler prints to stdout, which carries only data: move it to stderr.
    {ok, Default} = logger:get_handler_config(default),
    ok = logger:remove_handler(default),
    ok = logger:add_handler(default, logger_std_h,
                            Default#{config => #{type => standard_error}}),
    ?LOG_TABLE = ets:new(?LOG_TABLE, [named_table, public, ordered_set]),
    case logger:add_handler(riak_escript_collect, ?MODULE, #{level => warning}) of
        ok -> ok;
        {error, Why} -> fail("cannot install the log collector: ~p", [Why])
    end.

%% The logger handler callback: runs in the process that logs.
log(#{level := Level, msg := Msg}, _Config) ->
    Text = try format_msg(Msg)
           catch _:_ -> io_lib:format("~p", [Msg])
           end,
    ets:insert(?LOG_TABLE, {erlang:unique_integer([monotonic]), Level,
                            unicode:characters_to_binary(Text)}),
    ok.

format_msg({string, S}) -> S;
format_msg({report, #{format := Fmt, args := Args}}) -> io_lib:format(Fmt, Args);
format_msg({report, Report}) -> io_lib:format("~p", [Report]);
format_msg({Fmt, Args}) -> io_lib:format(Fmt, Args).

%% Handlers run synchronously in the logging process, so whatever bitcask logged in this process
%% or in its servers before their replies to us is in the table by now.
check_warnings(Strict) ->
    case ets:tab2list(?LOG_TABLE) of
        [] ->
            ok;
        Logged when Strict ->
            fail("bitcask logged ~b warning(s) or error(s), which means it met files it had to "
                 "work around (use --lenient to allow this):~n~s",
                 [length(Logged), [io_lib:format("  ~s: ~s~n", [L, string:trim(T)])
                                   || {_, L, T} <- Logged]]);
        Logged ->
            err("riak.escript: bitcask logged ~b warning(s) or error(s) (--lenient)~n",
                [length(Logged)])
    end.

%% ---------------------------------------------------------------------------------------------
%% Loading bitcask

load_bitcask() ->
    case os:getenv("BITCASK_EBIN") of
        false -> ok;
        Ebin -> true = code:add_patha(Ebin)
    end,
    case code:which(bitcask) of
        non_existing ->
            fail("bitcask is not on the code path (install erlang-bitcask, or set BITCASK_EBIN)",
                 []);
        _ ->
            ok
    end,
    %% bitcask_nifs loads its NIF (priv/bitcask.so) when the module loads.
    case code:ensure_loaded(bitcask_nifs) of
        {module, bitcask_nifs} -> ok;
        Error -> fail("bitcask's NIF does not load: ~p", [Error])
    end,
    case application:ensure_all_started(bitcask) of
        {ok, _} -> ok;
        {error, Reason} -> fail("cannot start the bitcask application: ~p", [Reason])
    end.

check() ->
    Dir = filename:join(temp_dir(), "riak-escript-check-" ++ os:getpid()),
    ok = del_tree(Dir),
    try
        Ref = open_rw(Dir, []),
        ok = must(bitcask:put(Ref, <<"k">>, <<"v">>), "put"),
        {ok, <<"v">>} = bitcask:get(Ref, <<"k">>),
        ok = bitcask:close(Ref)
    after
        del_tree(Dir)
    end,
    {ok, Vsn} = application:get_key(bitcask, vsn),
    out("bitcask ok: ~s (app vsn ~s), OTP ~s~n",
        [code:lib_dir(bitcask), Vsn, erlang:system_info(otp_release)]).

temp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        "" -> "/tmp";
        T -> T
    end.

%% ---------------------------------------------------------------------------------------------
%% dump

%% Opens READ-ONLY (bitcask:open/1). A read-only open leaves out whatever file
%% bitcask.write.lock names, even when the lock is stale (fact sheet §6), so it would silently
%% miss data. A dump is only meaningful on a closed cask, so a write lock is an error here, and
%% the error says what the lock holds: a writer that closed cleanly never leaves one behind.
dump(Dir, Strict) ->
    ok = must_be_dir(Dir),
    Lock = filename:join(Dir, "bitcask.write.lock"),
    case file:read_file(Lock) of
        {ok, LockData} when Strict ->
            fail("~s exists (content ~p): a writer is open or did not close cleanly, and a "
                 "read-only open would ignore the file it names (--lenient allows this)",
                 [Lock, LockData]);
        {ok, LockData} ->
            err("riak.escript: ~s exists (content ~p); the file it names is left out~n",
                [Lock, LockData]);
        {error, enoent} ->
            ok;
        {error, Why} ->
            fail("cannot read ~s: ~p", [Lock, Why])
    end,
    Ref = case bitcask:open(Dir) of
              R when is_reference(R) -> R;
              OpenErr -> fail("bitcask:open(~p) read-only failed: ~p", [Dir, OpenErr])
          end,
    %% Two independent reads: list_keys + get (get re-checks each entry's CRC) and fold (which
    %% scans the data files and keeps the entries the keydir points at). They must agree.
    Keys = case bitcask:list_keys(Ref) of
               Ks when is_list(Ks) -> lists:sort(Ks);
               LkErr -> fail("bitcask:list_keys failed: ~p", [LkErr])
           end,
    ViaGet = [{K, get_value(Ref, K)} || K <- Keys],
    ViaFold = case bitcask:fold(Ref, fun(K, V, Acc) -> [{K, V} | Acc] end, []) of
                  L when is_list(L) -> lists:sort(L);
                  FoldErr -> fail("bitcask:fold failed: ~p", [FoldErr])
              end,
    ok = bitcask:close(Ref),
    case ViaGet =:= ViaFold of
        true -> ok;
        false -> fail("list_keys+get and fold disagree: ~s", [first_difference(ViaGet, ViaFold)])
    end,
    ok = write_lines([[hex(K), $\s, hex(V), $\n] || {K, V} <- ViaGet]),
    err("dump: ~b live keys in ~s~n", [length(ViaGet), Dir]).

get_value(Ref, K) ->
    case bitcask:get(Ref, K) of
        {ok, V} -> V;
        not_found -> fail("key ~s is listed by list_keys but get says not_found", [hex(K)]);
        {error, Reason} -> fail("get of key ~s failed: ~p", [hex(K), Reason])
    end.

first_difference([X | A], [X | B]) -> first_difference(A, B);
first_difference([], []) -> "no difference";
first_difference([{K, _} | _], []) -> io_lib:format("key ~s only via get", [hex(K)]);
first_difference([], [{K, _} | _]) -> io_lib:format("key ~s only via fold", [hex(K)]);
first_difference([{K1, _} | _], [{K2, _} | _]) when K1 =/= K2 ->
    io_lib:format("get has key ~s where fold has ~s", [hex(K1), hex(K2)]);
first_difference([{K, V1} | _], [{K, V2} | _]) ->
    io_lib:format("key ~s: get gives ~b bytes, fold ~b bytes", [hex(K), byte_size(V1),
                                                               byte_size(V2)]).

%% ---------------------------------------------------------------------------------------------
%% verify
%%
%% What `dump` cannot see: bitcask's readers forgive a missing or invalid hint file (they scan
%% the data file instead) and list_keys hides a tombstone whose hint record lacks the tombstone
%% flag. So each data file is read twice through bitcask_fileops, once as bitcask recovers it
%% (from the hint file when its trailer validates; otherwise it logs "Hintfile ... invalid",
%% which fails the command) and once by scanning the data file, and the two record lists must be
%% identical. Files marked pending-delete (mode bits 0o4001) are skipped, as bitcask does.
verify(Dir) ->
    ok = must_be_dir(Dir),
    Locks = [L || L <- ["bitcask.write.lock", "bitcask.merge.lock", "bitcask.create.lock"],
                  filelib:is_file(filename:join(Dir, L))],
    Locks =:= [] orelse fail("~s: lock file(s) left behind: ~s", [Dir, lists:join(", ", Locks)]),
    Files = data_files(Dir),
    {Pending, Live} = lists:partition(fun bitcask:has_pending_delete_bit/1, Files),
    Entries = lists:sum([verify_file(F) || F <- Live]),
    err("verify: ~b data files (~b entries) consistent, ~b pending-delete skipped, in ~s~n",
        [length(Live), Entries, length(Pending), Dir]).

verify_file(Path) ->
    Hint = bitcask_fileops:hintfile_name(Path),
    filelib:is_regular(Hint) orelse fail("~s has no hint file ~s", [Path, Hint]),
    Collect = fun(K, Tstamp, {Offset, Size}, Acc) -> [{Offset, Size, Tstamp, K} | Acc] end,
    Recovered = fold_file(Path, fun(F) -> bitcask_fileops:fold_keys(F, Collect, [], recovery) end),
    Scanned = fold_file(Path, fun(F) -> bitcask_fileops:fold_keys(F, Collect, [], datafile) end),
    Recovered =:= Scanned orelse
        fail("~s: its hint file does not match its data: ~s", [Path, first_record_difference(
                                                                     lists:reverse(Recovered),
                                                                     lists:reverse(Scanned))]),
    {ok, #file_info{size = FileSize}} = file:read_file_info(Path),
    End = case Scanned of
              [{Offset, Size, _, _} | _] -> Offset + Size;
              [] -> 0
          end,
    End =:= FileSize orelse
        fail("~s: ~b bytes after the last whole entry (which ends at ~b)", [Path, FileSize - End,
                                                                           End]),
    length(Scanned).

fold_file(Path, Fold) ->
    {ok, F} = case bitcask_fileops:open_file(Path) of
                  {ok, _} = Ok -> Ok;
                  OpenErr -> fail("cannot open ~s: ~p", [Path, OpenErr])
              end,
    try Fold(F) of
        L when is_list(L) -> L;
        Other -> fail("folding ~s failed: ~p", [Path, Other])
    after
        bitcask_fileops:close(F)
    end.

first_record_difference([R | A], [R | B]) -> first_record_difference(A, B);
first_record_difference([], []) -> "none";
first_record_difference([], [R | _]) -> ["the hint ends before data entry ", record(R)];
first_record_difference([R | _], []) -> ["the hint has an extra record ", record(R)];
first_record_difference([H | _], [D | _]) ->
    ["hint record ", record(H), " but data entry ", record(D)].

record({Offset, Size, Tstamp, K}) ->
    {Kind, Key} = case K of
                      {tombstone, Key0} -> {"tombstone", Key0};
                      Key0 -> {"value", Key0}
                  end,
    io_lib:format("{offset ~b, size ~b, tstamp ~b, ~s, key ~s}",
                  [Offset, Size, Tstamp, Kind, short_hex(Key)]).

short_hex(K) when byte_size(K) > 32 ->
    io_lib:format("~s... (~b bytes)", [hex(binary:part(K, 0, 32)), byte_size(K)]);
short_hex(K) ->
    hex(K).

%% ---------------------------------------------------------------------------------------------
%% apply

apply_ops(Dir, OpsFile) ->
    Lines = case file:read_file(OpsFile) of
                {ok, Bin} -> binary:split(Bin, <<"\n">>, [global]);
                {error, Why} -> fail("cannot read ~s: ~p", [OpsFile, Why])
            end,
    %% Parse everything before opening, so a bad file changes nothing.
    Ops = parse_ops(Lines, 1, []),
    Opts = [{max_file_size, ?SMALL_FILE}],
    Ref = open_rw(Dir, Opts),
    lists:foreach(fun({LineNo, Op}) -> apply_op(Ref, Dir, Opts, LineNo, Op) end, Ops),
    ok = bitcask:close(Ref),
    err("apply: ~b ops applied to ~s~n", [length(Ops), Dir]).

parse_ops([], _, Acc) ->
    lists:reverse(Acc);
parse_ops([Line0 | Rest], N, Acc) ->
    Line = string:trim(Line0, trailing, "\r"),
    case binary:split(Line, <<" ">>, [global]) of
        [<<>>] -> parse_ops(Rest, N + 1, Acc);
        [<<"#", _/binary>> | _] -> parse_ops(Rest, N + 1, Acc);
        [<<"put">>, K, V] -> parse_ops(Rest, N + 1, [{N, {put, unhex(K, N), unhex(V, N)}} | Acc]);
        [<<"delete">>, K] -> parse_ops(Rest, N + 1, [{N, {delete, unhex(K, N)}} | Acc]);
        [<<"merge">>] -> parse_ops(Rest, N + 1, [{N, merge} | Acc]);
        [<<"sleep">>, Ms] -> parse_ops(Rest, N + 1, [{N, {sleep, file_id(Ms, N)}} | Acc]);
        [<<"crash">>] -> parse_ops(Rest, N + 1, [{N, crash} | Acc]);
        [<<"merge">> | Ids] -> parse_ops(Rest, N + 1, [{N, {merge, [file_id(I, N) || I <- Ids]}}
                                                      | Acc]);
        _ -> fail("ops line ~b: cannot parse ~p (want `put HEXKEY HEXVALUE`, `delete HEXKEY`, "
                  "`merge`, `merge ID ID ...`, `sleep MS` or `crash`; `-` is the empty string)",
                  [N, Line])
    end.

file_id(Text, Line) ->
    try binary_to_integer(Text) of
        I when I >= 0 -> I;
        _ -> fail("ops line ~b: ~p is negative", [Line, Text])
    catch error:badarg -> fail("ops line ~b: ~p is not a number", [Line, Text])
    end.

apply_op(Ref, _Dir, _Opts, N, {put, K, V}) ->
    ok = must(bitcask:put(Ref, K, V), io_lib:format("ops line ~b: put", [N]));
apply_op(Ref, _Dir, _Opts, N, {delete, K}) ->
    ok = must(bitcask:delete(Ref, K), io_lib:format("ops line ~b: delete", [N]));
apply_op(_Ref, Dir, Opts, N, merge) ->
    ok = merge(Dir, Opts, io_lib:format("ops line ~b: merge", [N]));
apply_op(_Ref, _Dir, _Opts, _N, {sleep, Ms}) ->
    timer:sleep(Ms);
apply_op(_Ref, Dir, _Opts, N, crash) ->
    err("apply: ops line ~b: crashing on purpose, leaving ~s as a dead writer would~n", [N, Dir]),
    erlang:halt(0, [{flush, false}]);
apply_op(_Ref, Dir, Opts, N, {merge, Ids}) ->
    Files = [filename:join(Dir, integer_to_list(Id) ++ ".bitcask.data") || Id <- Ids],
    case [F || F <- Files, not filelib:is_regular(F)] of
        [] -> ok;
        Missing -> fail("ops line ~b: merge of missing file(s) ~s", [N, lists:join(", ", Missing)])
    end,
    %% merge/3 quietly drops files that are not there; they were checked just above.
    ok = must(bitcask:merge(Dir, Opts, {Files, []}), io_lib:format("ops line ~b: merge ~w",
                                                                     [N, Ids])).

%% ---------------------------------------------------------------------------------------------
%% Scenarios
%%
%% Each is a pure function of its name: contents come from fixed seeds, so reruns write the same
%% keys and values (only the timestamps differ). The Rust test compares strata's view with
%% `dump`, never with a recomputed expectation, so nothing here needs to be known in Rust.

scenario_names() ->
    ["many", "merged", "merged_then_written", "big", "edge", "partial_merge", "sessions"].

scenario(Dir, Name) ->
    case lists:member(Name, scenario_names()) of
        true -> ok;
        false -> throw({usage, io_lib:format("unknown scenario ~p (known: ~s)",
                                             [Name, lists:join(", ", scenario_names())])})
    end,
    case file:list_dir(Dir) of
        {ok, []} -> ok;
        {ok, _} -> fail("~s is not empty; a scenario needs a fresh directory", [Dir]);
        {error, enoent} -> ok;
        {error, Why} -> fail("cannot list ~s: ~p", [Dir, Why])
    end,
    run_scenario(Dir, Name),
    err("scenario ~s written to ~s~n", [Name, Dir]).

%% `many`: 5,000 keys over ~20 files of 64 KiB, then 3,000 seeded overwrites, deletes (some of
%% absent keys, which write nothing), empty values and re-puts. Keys include the empty key, 0x00
%% and 0xff bytes, and keys that are prefixes of one another.
run_scenario(Dir, "many") ->
    Opts = [{max_file_size, ?SMALL_FILE}],
    Ref = open_rw(Dir, Opts),
    ok = many_ops(Ref, 1),
    ok = bitcask:close(Ref);

%% `merged`: `many`, then a merge of every file but the active one, then close. The VM stops
%% right away, so the merge's inputs usually remain on disk with the pending-delete mode bit
%% (0o001) set, which a reader must skip (fact sheet §9).
run_scenario(Dir, "merged") ->
    Opts = [{max_file_size, ?SMALL_FILE}],
    Ref = open_rw(Dir, Opts),
    ok = many_ops(Ref, 1),
    ok = merge(Dir, Opts, "merge"),
    ok = bitcask:close(Ref);

%% `merged_then_written`: `merged`, then more writes before closing. Overwriting a key whose
%% entry now sits in a merge output file (ids above the active file) makes the writer roll over.
run_scenario(Dir, "merged_then_written") ->
    Opts = [{max_file_size, ?SMALL_FILE}],
    Ref = open_rw(Dir, Opts),
    ok = many_ops(Ref, 1),
    ok = merge(Dir, Opts, "merge"),
    ok = random_ops(Ref, universe(1), rng(77), 1000, 100),
    ok = bitcask:close(Ref);

%% `big`: small values around five 1 MiB values, with 256 KiB files, so each big entry is a file
%% larger than the limit. One big value is overwritten by another, one is deleted.
run_scenario(Dir, "big") ->
    Opts = [{max_file_size, 256 * 1024}],
    Ref = open_rw(Dir, Opts),
    Big = fun(I) -> bytes(1000 + I, 1024 * 1024) end,
    Small = fun(I) -> put(Ref, <<"small-", (integer_to_binary(I))/binary>>,
                          bytes(I, I rem 300)) end,
    lists:foreach(Small, lists:seq(0, 199)),
    lists:foreach(fun(I) -> put(Ref, <<"big-", (integer_to_binary(I))/binary>>, Big(I)),
                            lists:foreach(Small, lists:seq(I * 10, I * 10 + 60))
                  end, lists:seq(1, 5)),
    put(Ref, <<"big-2">>, Big(9)),
    del(Ref, <<"big-4">>),
    put(Ref, <<>>, Big(7)),
    lists:foreach(Small, lists:seq(150, 250)),
    ok = bitcask:close(Ref);

%% `edge`: the limits and look-alikes.
%% - a 65,535-byte key (the maximum) and keys differing only in a trailing 0x00;
%% - the empty key with the empty value;
%% - values that begin with the 17 bytes `bitcask_tombstone`: bitcask accepts the put, but every
%%   reader treats the entry as a delete, so those keys are absent on reopen (fact sheet §4),
%%   including `lookalike-existing`, which had a real value before;
%% - a key put, deleted and put again across files; deletes of keys that never existed.
run_scenario(Dir, "edge") ->
    Opts = [{max_file_size, 4096}],
    Ref = open_rw(Dir, Opts),
    MaxKey = bytes(5, 65535),
    put(Ref, MaxKey, <<"max key">>),
    put(Ref, <<>>, <<>>),
    put(Ref, <<"a">>, <<"plain a">>),
    put(Ref, <<"a", 0>>, <<"a then zero">>),
    put(Ref, <<"a", 0, 0>>, <<>>),
    put(Ref, <<0>>, <<0>>),
    put(Ref, <<255, 255>>, <<255>>),
    put(Ref, <<"lookalike-existing">>, <<"a real value">>),
    filler(Ref, 0, 40),
    put(Ref, <<"lookalike-new">>, <<"bitcask_tombstone">>),
    put(Ref, <<"lookalike-existing">>, <<"bitcask_tombstone2", 0, 0, 0, 1>>),
    put(Ref, <<"lookalike-longer">>, <<"bitcask_tombstone but longer and not a tombstone">>),
    put(Ref, <<"almost-lookalike">>, <<"bitcask_tombston">>),
    put(Ref, <<"phoenix">>, <<"first life">>),
    filler(Ref, 40, 80),
    del(Ref, <<"phoenix">>),
    filler(Ref, 80, 120),
    put(Ref, <<"phoenix">>, <<"second life">>),
    del(Ref, <<"never existed">>),
    del(Ref, <<"a", 0>>),
    del(Ref, <<"a", 0>>),
    put(Ref, MaxKey, bytes(6, 5000)),
    ok = bitcask:close(Ref);

%% `partial_merge`: a merge of some files that are not the oldest ones (coverage `partial`).
%% Deletes whose tombstones sit in the merged files name older files that stay, so bitcask
%% appends those tombstones to the older files themselves and rewrites their hint trailers
%% (fact sheet §9). Without them the deleted keys would come back.
run_scenario(Dir, "partial_merge") ->
    Opts = [{max_file_size, 4096}],
    Ref = open_rw(Dir, Opts),
    Key = fun(I) -> <<"pm-", (integer_to_binary(I))/binary>> end,
    lists:foreach(fun(I) -> put(Ref, Key(I), bytes(I, 100)) end, lists:seq(0, 199)),
    lists:foreach(fun(I) -> del(Ref, Key(I)) end, lists:seq(0, 199, 3)),
    lists:foreach(fun(I) -> put(Ref, Key(I), bytes(I + 500, 60)) end, lists:seq(1, 199, 7)),
    lists:foreach(fun(I) -> put(Ref, Key(I), bytes(I + 900, 80)) end, lists:seq(200, 260)),
    %% Merge every readable file whose id is above the median: not a prefix, so `partial`.
    Files = data_files(Dir),
    {_Older, Newer} = lists:split(length(Files) div 2, Files),
    case bitcask:merge(Dir, Opts, {Newer, []}) of
        ok -> ok;
        MergeErr -> fail("partial merge of ~p failed: ~p", [Newer, MergeErr])
    end,
    lists:foreach(fun(I) -> del(Ref, Key(I)) end, lists:seq(2, 60, 5)),
    ok = bitcask:close(Ref);

%% `sessions`: five open/write/close cycles in one VM. Every reopen starts a fresh file and the
%% file-id counter skips ids (fact sheet §2), so ids have gaps; later sessions overwrite and
%% delete keys written by earlier ones.
run_scenario(Dir, "sessions") ->
    Opts = [{max_file_size, 16 * 1024}],
    Universe = universe(3),
    lists:foreach(fun(S) ->
                          Ref = open_rw(Dir, Opts),
                          ok = random_ops(Ref, Universe, rng(300 + S), 400, S),
                          ok = bitcask:close(Ref)
                  end, lists:seq(1, 5)).

many_ops(Ref, Seed) ->
    Universe = universe(Seed),
    tuple_size(Universe) >= 5000 orelse error(small_universe),
    %% Every key once, in order.
    lists:foreach(fun(I) -> put(Ref, element(I, Universe), value(Seed, I, 0)) end,
                  lists:seq(1, tuple_size(Universe))),
    %% Then seeded overwrites, deletes, re-puts.
    ok = random_ops(Ref, Universe, rng(Seed * 7919), 3000, 1),
    %% And a fixed end state for the special keys.
    put(Ref, <<>>, <<>>),
    put(Ref, <<0>>, <<>>),
    put(Ref, <<255>>, <<255, 0, 255>>),
    del(Ref, <<0, 0>>),
    ok.

%% Seeded operations over a key universe: 55% put of a new value, 10% put of the empty value,
%% 30% delete (of a key that may already be gone), 5% re-put of the key's first value.
random_ops(_Ref, _Universe, _Rng, 0, _Gen) ->
    ok;
random_ops(Ref, Universe, Rng0, N, Gen) ->
    {R, Rng1} = next(Rng0),
    I = 1 + (R bsr 8) rem tuple_size(Universe),
    K = element(I, Universe),
    case R rem 20 of
        X when X < 11 -> put(Ref, K, value(Gen, I, N));
        X when X < 13 -> put(Ref, K, <<>>);
        X when X < 19 -> del(Ref, K);
        _ -> put(Ref, K, value(1, I, 0))
    end,
    random_ops(Ref, Universe, Rng1, N - 1, Gen).

%% 5,000+ distinct keys: some special ones, then printable keys and seeded binary keys.
universe(Seed) ->
    Special = [<<>>, <<0>>, <<255>>, <<0, 0>>, <<255, 255, 255>>, <<0, 255, 0, 255>>,
               <<"key">>, <<"key", 0>>, <<"key", 255>>, <<"\n">>, <<" ">>],
    Generated = [gen_key(Seed, I) || I <- lists:seq(1, 5000)],
    list_to_tuple(lists:usort(Special ++ Generated)).

gen_key(_Seed, I) when I rem 2 =:= 0 ->
    <<"key-", (integer_to_binary(I))/binary>>;
gen_key(Seed, I) ->
    {R, _} = next(rng(Seed * 1000003 + I)),
    %% A prefix makes the key unique; the rest is arbitrary bytes, 0x00 and 0xff included.
    <<I:16, (bytes(Seed * 1000003 + I, R rem 40))/binary>>.

%% Value for key number I, generation Gen: 0..299 bytes, every 9th one empty.
value(Gen, I, N) ->
    Seed = (Gen * 1000003 + I) * 1000003 + N,
    {R, _} = next(rng(Seed)),
    case R rem 9 of
        0 -> <<>>;
        _ -> bytes(Seed, (R bsr 4) rem 300)
    end.

filler(Ref, From, To) ->
    lists:foreach(fun(I) -> put(Ref, <<"filler-", (integer_to_binary(I))/binary>>,
                                bytes(I, 200)) end,
                  lists:seq(From, To - 1)).

%% Every N.bitcask.data in Dir, by numeric id (fact sheet §2).
data_files(Dir) ->
    Names = case file:list_dir(Dir) of
                {ok, Ns} -> Ns;
                {error, Why} -> fail("cannot list ~s: ~p", [Dir, Why])
            end,
    Ids = lists:sort([list_to_integer(Id) || N <- Names,
                                             [Id, "bitcask", "data"] <- [string:tokens(N, ".")]]),
    [filename:join(Dir, integer_to_list(Id) ++ ".bitcask.data") || Id <- Ids].

%% ---------------------------------------------------------------------------------------------
%% Deterministic bytes: splitmix64, so contents never depend on the OTP version's `rand`.

-define(M64, 16#FFFFFFFFFFFFFFFF).

rng(Seed) -> Seed band ?M64.

next(S0) ->
    S = (S0 + 16#9E3779B97F4A7C15) band ?M64,
    Z1 = ((S bxor (S bsr 30)) * 16#BF58476D1CE4E5B9) band ?M64,
    Z2 = ((Z1 bxor (Z1 bsr 27)) * 16#94D049BB133111EB) band ?M64,
    {Z2 bxor (Z2 bsr 31), S}.

bytes(Seed, Len) ->
    bytes(rng(Seed * 6364136223846793005 + 1442695040888963407), Len, []).

bytes(_S, Len, Acc) when Len =< 0 ->
    Bin = iolist_to_binary(lists:reverse(Acc)),
    binary:part(Bin, 0, byte_size(Bin) + Len);
bytes(S0, Len, Acc) ->
    {Z, S} = next(S0),
    bytes(S, Len - 8, [<<Z:64>> | Acc]).

%% ---------------------------------------------------------------------------------------------
%% bitcask calls that fail loudly

open_rw(Dir, Opts) ->
    case bitcask:open(Dir, [read_write | Opts]) of
        Ref when is_reference(Ref) -> Ref;
        Err -> fail("bitcask:open(~p, read_write) failed: ~p", [Dir, Err])
    end.

put(Ref, K, V) -> ok = must(bitcask:put(Ref, K, V), "put").
del(Ref, K) -> ok = must(bitcask:delete(Ref, K), "delete").

merge(Dir, Opts, What) ->
    must(bitcask:merge(Dir, Opts), What).

must(ok, _What) -> ok;
must(Other, What) -> fail("~s failed: ~p", [What, Other]).

%% ---------------------------------------------------------------------------------------------
%% Hex, files, output

hex(<<>>) -> <<"-">>;
hex(B) -> << <<(hex_digit(N))>> || <<N:4>> <= B >>.

hex_digit(N) when N < 10 -> $0 + N;
hex_digit(N) -> $a + N - 10.

unhex(<<"-">>, _Line) -> <<>>;
unhex(H, Line) ->
    try binary:decode_hex(H)
    catch error:_ -> fail("ops line ~b: ~p is not hex (use `-` for the empty string)", [Line, H])
    end.

must_be_dir(Dir) ->
    case filelib:is_dir(Dir) of
        true -> ok;
        false -> fail("~s is not a directory", [Dir])
    end.

del_tree(Dir) ->
    case file:del_dir_r(Dir) of
        ok -> ok;
        {error, enoent} -> ok;
        {error, Why} -> fail("cannot remove ~s: ~p", [Dir, Why])
    end.

%% stdout carries only data, written in one piece (megabytes of hex would be slow through
%% io:format).
write_lines(IoData) ->
    ok = io:put_chars(standard_io, IoData).

out(Fmt, Args) -> io:format(standard_io, Fmt, Args).
err(Fmt, Args) -> io:format(standard_error, Fmt, Args).

fail(Fmt, Args) ->
    err("riak.escript: error: " ++ Fmt ++ "~n", Args),
    halt(1).
