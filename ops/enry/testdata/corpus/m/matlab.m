function y = square(x)
% SQUARE squares its input
  y = x .^ 2;
end
