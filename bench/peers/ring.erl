-module(ring).
-export([main/1, relay/1]).
relay(Next) -> receive M -> Next ! M, relay(Next) end.
chain(1, Next) -> Next;
chain(K, Next) -> chain(K - 1, spawn(ring, relay, [Next])).
laps(L, L, _) -> L;
laps(Lap, Laps, First) -> First ! Lap, receive _ -> laps(Lap + 1, Laps, First) end.
main([A, B]) ->
    N = list_to_integer(A), Laps = list_to_integer(B),
    T0 = erlang:monotonic_time(microsecond),
    First = chain(N, self()),
    R = laps(0, Laps, First),
    T1 = erlang:monotonic_time(microsecond),
    io:format("~p~n@@ms ~.3f~n", [R, (T1 - T0) / 1000]).
