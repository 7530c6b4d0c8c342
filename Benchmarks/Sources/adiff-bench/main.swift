import ADiffTensor
print(BLAS.configuration)
