-module(strings).
-export([main/1]).
%% Appending to a binary is the Erlang idiom (the runtime grows it in place).
build(N, N, B) -> B;
build(I, N, B) -> build(I + 1, N, <<B/binary, (integer_to_binary(I))/binary, ",">>).
main([A]) ->
    N = list_to_integer(A),
    T0 = erlang:monotonic_time(microsecond),
    B = build(0, N, <<>>),
    T1 = erlang:monotonic_time(microsecond),
    io:format("~p~n~c~n@@ms ~.3f~n", [byte_size(B), binary:at(B, byte_size(B) - 2), (T1 - T0) / 1000]).
