"""What both Config rules share: parameters, clients, evaluations, the handler.

The rules stay rdklib ``ConfigRule`` subclasses (so ``rdk test-local`` and
``rdk deploy`` work as usual) but run through ``handler.handle`` instead of
rdklib's ``Evaluator``, which drops ``FailedEvaluations``, cannot tell a resource
it failed to read from one that vanished, and has no notion of a deadline.
"""
