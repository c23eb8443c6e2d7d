-module(server).
-behaviour(gen_server).
-export([main/1, init/1, handle_call/3, handle_cast/2, client/4]).
%% The server of bench/server.kl as a gen_server: requests are casts {req, Client, Line}
%% (Line a binary "key a b"), the reply a plain message; its state is a map of 256 counters.
init(Counts) -> {ok, Counts}.
handle_cast({req, From, Line}, Counts) ->
    [K, A, B] = [binary_to_integer(P) || P <- binary:split(Line, <<" ">>, [global])],
    From ! {reply, (A + B) * 7 + K},
    {noreply, Counts#{K := (maps:get(K, Counts) + A * B) rem 1000003}}.
handle_call(total, _From, Counts) ->
    {reply, lists:foldl(fun(C, T) -> (T + C) rem 1000003 end, 0, maps:values(Counts)), Counts}.
line(Me, I) ->
    K = (Me * 64 + I) rem 256,
    iolist_to_binary([integer_to_binary(K), " ", integer_to_binary(I * 37 + Me), " ", integer_to_binary(I * 11 + 1000 * Me)]).
client(S, Me, N, Boss) ->
    Lines = list_to_tuple([line(Me, I) || I <- lists:seq(0, 63)]),
    W = min(16, N),
    [gen_server:cast(S, {req, self(), element(I rem 64 + 1, Lines)}) || I <- lists:seq(0, W - 1)],
    Boss ! {done, Me, replies(S, Lines, W, 0, N, 0)}.
replies(_S, _Lines, _Sent, N, N, Sum) -> Sum;
replies(S, Lines, Sent, Got, N, Sum) ->
    receive {reply, R} ->
        Sent2 = if Sent < N -> gen_server:cast(S, {req, self(), element(Sent rem 64 + 1, Lines)}), Sent + 1;
                   true -> Sent end,
        replies(S, Lines, Sent2, Got + 1, N, (Sum + R) rem 1000003)
    end.
main([A]) ->
    N = list_to_integer(A),
    T0 = erlang:monotonic_time(microsecond),
    {ok, S} = gen_server:start(?MODULE, maps:from_list([{K, 0} || K <- lists:seq(0, 255)]), []),
    [spawn(?MODULE, client, [S, C, N div 4, self()]) || C <- lists:seq(0, 3)],
    Sum = lists:foldl(fun(_, T) -> receive {done, _, R} -> (T + R) rem 1000003 end end, 0, lists:seq(1, 4)),
    Total = gen_server:call(S, total),
    T1 = erlang:monotonic_time(microsecond),
    io:format("~p~n~p~n@@ms ~.3f~n", [Sum, Total, (T1 - T0) / 1000]).
