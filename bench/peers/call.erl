-module(call).
-behaviour(gen_server).
-export([main/1, init/1, handle_call/3, handle_cast/2]).
init(State) -> {ok, State}.
handle_call(N, _From, State) -> {reply, N + 1, State}.
handle_cast(_Msg, State) -> {noreply, State}.
calls(N, N, _Server, Sum) -> Sum;
calls(I, N, Server, Sum) -> calls(I + 1, N, Server, Sum + gen_server:call(Server, I, 5000) - I).
main([A]) ->
    N = list_to_integer(A),
    T0 = erlang:monotonic_time(microsecond),
    {ok, Server} = gen_server:start(?MODULE, 0, []),
    R = calls(0, N, Server, 0),
    T1 = erlang:monotonic_time(microsecond),
    io:format("~p~n@@ms ~.3f~n", [R, (T1 - T0) / 1000]).
