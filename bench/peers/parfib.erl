-module(parfib).
-export([main/1]).
%% Parallel map: N processes each compute fib(K) and send the result back; main adds them
%% (bench/parfib.kl's twin). Run with erl +S 1 and +S 2.
fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).
main([A, B]) ->
    N = list_to_integer(A),
    K = list_to_integer(B),
    Self = self(),
    [spawn(fun() -> Self ! {r, fib(K)} end) || _ <- lists:seq(1, N)],
    io:format("~p~n", [collect(N, 0)]).
collect(0, Sum) -> Sum;
collect(N, Sum) -> receive {r, R} -> collect(N - 1, Sum + R) end.
