-module(spawn).
-export([main/1, waiter/0]).
waiter() -> receive _ -> ok end.
spawn_n(0, Acc) -> Acc;
spawn_n(K, Acc) -> spawn_n(K - 1, [spawn(spawn, waiter, []) | Acc]).
main([A]) ->
    N = list_to_integer(A),
    erlang:garbage_collect(),
    M0 = erlang:memory(total),
    T0 = erlang:monotonic_time(microsecond),
    Ps = spawn_n(N, []),
    receive after 1 -> ok end,
    T1 = erlang:monotonic_time(microsecond),
    M1 = erlang:memory(total),
    io:format("~p~n@@ms ~.3f~n@@bytes ~.1f~n", [length(Ps), (T1 - T0) / 1000, (M1 - M0) / N]),
    [P ! stop || P <- Ps].
